namespace Dstack.Agent.Transport;

/// <summary>Default <see cref="IAgentConnectionFeature"/>.</summary>
internal sealed record AgentConnectionFeature(ListenerKind Listener, PeerCredentials? Peer, string? RefusalReason)
    : IAgentConnectionFeature;
