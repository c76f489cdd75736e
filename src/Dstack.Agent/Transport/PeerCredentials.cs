namespace Dstack.Agent.Transport;

/// <summary>The credentials of the process at the other end of a Unix socket (<c>SO_PEERCRED</c>).</summary>
/// <param name="Pid">Process id of the peer when it connected.</param>
/// <param name="Uid">Effective user id.</param>
/// <param name="Gid">Effective group id.</param>
internal sealed record PeerCredentials(int Pid, uint Uid, uint Gid)
{
    /// <inheritdoc />
    public override string ToString() => $"pid={Pid} uid={Uid} gid={Gid}";
}
