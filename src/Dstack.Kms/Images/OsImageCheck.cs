using Dstack.Attestation.OsImage;
using Dstack.Kms.Authentication;
using Microsoft.Extensions.Logging;

namespace Dstack.Kms.Images;

/// <summary>
/// The OS-image step of a key release (os-image-verification §2, kms.md §4.4 step 5): the caller's verified MRTD and
/// RTMR0–2 must be the registers of the OS image its <c>vm_config</c> names. A <c>lite</c> config brings the image's
/// measurement document itself; any other config is checked with the measurement document of the image bundle,
/// downloaded by <c>os_image_hash</c> and cached (<see cref="OsImageBundleStore"/>). Runs after the policy allowed the
/// caller; with <c>Image:Verify</c> false it passes and says, on every decision, that the OS image is an unverified claim.
/// </summary>
internal sealed class OsImageCheck
{
    /// <summary>Prefix of every refusal (the reference's wording).</summary>
    public const string ReasonPrefix = "Failed to verify os image hash: ";

    private readonly ImageOptions _options;
    private readonly OsImageBundleStore? _store;
    private readonly ILogger _logger;

    /// <summary>Creates the check; <paramref name="store"/> is null when no cache directory is configured (no download path).</summary>
    public OsImageCheck(ImageOptions options, OsImageBundleStore? store, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        _options = options;
        _store = store;
        _logger = logger;
    }

    /// <summary>Whether the check runs (<c>Image:Verify</c>).</summary>
    public bool IsEnabled => _options.Verify;

    /// <summary>
    /// Checks <paramref name="caller"/>'s registers against the OS image it claims. Returns null when verified (or when
    /// verification is off), else why not (<see cref="ReasonPrefix"/> and the first failure); <paramref name="method"/>
    /// names the decision in the log.
    /// </summary>
    public async Task<string?> CheckAsync(string method, AuthenticatedCaller caller, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var claimed = BootInfo.Hex(caller.BootInfo.OsImageHash);
        if (!_options.Verify)
        {
            OsImageLog.Unverified(_logger, method, claimed.Length == 0 ? "(none)" : claimed);
            return null;
        }

        var verdict = await VerifyAsync(caller, cancellationToken).ConfigureAwait(false);
        if (verdict.Verified)
        {
            OsImageLog.Verified(_logger, method, verdict.OsImageHash, verdict.Mode);
            return null;
        }

        OsImageLog.Refused(_logger, method, claimed.Length == 0 ? "(none)" : claimed, verdict.Reason!);
        return ReasonPrefix + verdict.Reason;
    }

    private async Task<OsImageVerdict> VerifyAsync(AuthenticatedCaller caller, CancellationToken cancellationToken)
    {
        var actual = OsImageRegisters.Of(caller.Measurements);
        OsImageVmConfig config;
        try
        {
            config = OsImageVmConfig.Parse(caller.Config);
        }
        catch (OsImageException ex)
        {
            return Refused(string.Empty, ex.Message, OsImageVerdict.LiteMode, actual);
        }

        if (config.IsLite)
        {
            return OsImageVerifier.Verify(config, actual, caller.Attestation.EventLog);
        }

        var hash = Convert.ToHexStringLower(config.OsImageHash);
        if (_store is null)
        {
            return Refused(hash, "the vm_config is not a lite attestation, so the OS image bundle must be downloaded, but Image:CacheDirectory is not configured", OsImageVerdict.BundleMode, actual);
        }

        OsImageBundle bundle;
        try
        {
            bundle = await _store.GetAsync(config.OsImageHash, cancellationToken).ConfigureAwait(false);
        }
        catch (OsImageBundleException ex)
        {
            return Refused(hash, ex.Message, OsImageVerdict.BundleMode, actual);
        }

        return OsImageVerifier.VerifyWithMaterial(config, bundle.Material, actual, caller.Attestation.EventLog);
    }

    private static OsImageVerdict Refused(string hash, string reason, string mode, OsImageRegisters actual) =>
        new() { OsImageHash = hash, Reason = reason, Mode = mode, Actual = actual };
}
