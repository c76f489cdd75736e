namespace Dstack.Agent.Identity;

/// <summary>
/// Where the key methods get the app keys: the file the key provider wrote at boot, the seeded dev keys, or (later) a KMS.
/// </summary>
internal interface IAppKeysSource
{
    /// <summary>The app keys; a 400 error when they are not available.</summary>
    Task<AppKeys> GetAsync(CancellationToken cancellationToken);
}
