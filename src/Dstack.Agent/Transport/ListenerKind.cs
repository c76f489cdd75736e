namespace Dstack.Agent.Transport;

/// <summary>Which of the agent's sockets a connection arrived on.</summary>
internal enum ListenerKind
{
    /// <summary><c>dstack.sock</c>: the current API at <c>/&lt;Method&gt;</c>.</summary>
    Dstack,

    /// <summary><c>tappd.sock</c>: the legacy API at <c>/prpc/Tappd.&lt;Method&gt;</c>.</summary>
    Tappd,
}
