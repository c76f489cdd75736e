namespace Dstack.Agent.Methods;

/// <summary>The proto services a method can belong to.</summary>
internal enum RpcService
{
    /// <summary><c>DstackGuest</c>, on dstack.sock.</summary>
    DstackGuest,

    /// <summary>Legacy <c>Tappd</c>, on tappd.sock.</summary>
    Tappd,
}
