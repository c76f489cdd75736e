namespace Dstack.Agent.Identity;

/// <summary>Where <c>Info</c> gets the app identity (files written at boot; a KMS-backed source can replace it).</summary>
internal interface IAppIdentitySource
{
    /// <summary>Reads the current identity.</summary>
    Task<AppIdentity> GetAsync(CancellationToken cancellationToken);
}
