namespace Dstack.Agent.Configuration;

/// <summary>
/// Optional allow-list of callers, checked against the peer's <c>SO_PEERCRED</c>. Empty lists allow everyone
/// (dstack's behaviour); otherwise a caller whose uid is in <see cref="AllowedUids"/> or whose gid is in
/// <see cref="AllowedGids"/> is served and every other caller gets HTTP 400 and a closed connection.
/// </summary>
internal sealed class AccessOptions
{
    /// <summary>User ids allowed to call the API.</summary>
    public IList<uint> AllowedUids { get; } = [];

    /// <summary>Group ids allowed to call the API.</summary>
    public IList<uint> AllowedGids { get; } = [];
}
