using Dstack.Crypto.Keys;

namespace Dstack.Agent.Identity;

/// <summary>Where the key methods get the app root key (the app keys the key provider released at boot).</summary>
internal interface IAppKeysSource
{
    /// <summary>The key service over the app root key and its KMS signature.</summary>
    Task<AppKeyService> GetAsync(CancellationToken cancellationToken);
}
