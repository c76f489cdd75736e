namespace Dstack.Agent.Identity;

/// <summary>
/// Where the key methods get the app keys: the file the key provider wrote at boot (KMS-released or local), or the seeded dev keys.
/// </summary>
internal interface IAppKeysSource
{
    /// <summary>The app keys; a 400 error when they are not available.</summary>
    Task<AppKeys> GetAsync(CancellationToken cancellationToken);
}
