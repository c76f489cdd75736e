namespace Dstack.Agent.Transport;

/// <summary>What the connection middleware learned about a connection, visible to every request on it.</summary>
internal interface IAgentConnectionFeature
{
    /// <summary>The socket the connection was accepted on.</summary>
    ListenerKind Listener { get; }

    /// <summary>The peer's credentials, or null when they could not be read.</summary>
    PeerCredentials? Peer { get; }

    /// <summary>Null when the peer may call the API; otherwise why it may not.</summary>
    string? RefusalReason { get; }
}
