namespace Dstack.Kms.Policies;

/// <summary>A policy backend that must be checked before the KMS serves (for example the chain id of an RPC node).</summary>
internal interface IPolicyStartupCheck
{
    /// <summary>Checks the backend once at start.</summary>
    /// <exception cref="PolicyBackendException">The backend is misconfigured or cannot be used; the KMS must not start.</exception>
    Task CheckAtStartAsync(CancellationToken cancellationToken);
}
