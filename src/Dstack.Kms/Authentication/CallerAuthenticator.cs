using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Dstack.Attestation.Dcap;
using Dstack.Attestation.EventLog;
using Dstack.Attestation.Formats;
using Dstack.Attestation.Quotes;
using Dstack.Crypto;
using Dstack.Crypto.RaTls;
using Dstack.Kms.Collateral;
using Dstack.Kms.Service;

namespace Dstack.Kms.Authentication;

/// <summary>
/// Verifies a caller's attestation and builds its <see cref="BootInfo"/> (kms.md §1.4, §4.1, §4.4 step 2–3, §6.2): the
/// attestation must be bound to the presented key, the quote must verify under the configured DCAP root, debug TDs are
/// refused unless allowed, the runtime events must replay to the quoted RTMR3 (and a full boot log to RTMR0–2), and the
/// app id must be 20 bytes. Every refusal carries its reason.
/// </summary>
internal sealed class CallerAuthenticator
{
    /// <summary>Reason when the caller presents no attestation at all.</summary>
    public const string NoAttestation = "No attestation provided";

    /// <summary>Prefix of the reason when collateral is required and none is available.</summary>
    public const string CollateralUnavailable = "collateral unavailable: ";

    private readonly ICollateralSource _collateral;
    private readonly bool _requireCollateral;
    private readonly QuoteVerifier _verifier;
    private readonly bool _allowDebugTds;

    /// <summary>Creates an authenticator trusting <paramref name="anchor"/>.</summary>
    /// <param name="anchor">The DCAP root.</param>
    /// <param name="allowDebugTds">Accept TDs with the DEBUG attribute.</param>
    /// <param name="timeProvider">The clock for validity windows.</param>
    /// <param name="collateral">Where collateral comes from; null for the anchor's in-process collateral.</param>
    /// <param name="requireCollateral">Refuse a quote when no collateral is available instead of verifying it with TCB status <c>Unknown</c>.</param>
    public CallerAuthenticator(KmsTrustAnchor anchor, bool allowDebugTds, TimeProvider timeProvider, ICollateralSource? collateral = null, bool requireCollateral = false)
    {
        ArgumentNullException.ThrowIfNull(anchor);
        _collateral = collateral ?? anchor.Collateral;
        _requireCollateral = requireCollateral;
        _allowDebugTds = allowDebugTds;
        // the debug decision is taken here (with its own reason), not inside the verifier
        _verifier = new QuoteVerifier(anchor.Root, timeProvider, new QuoteVerificationOptions { RejectDebugTd = false });
    }

    /// <summary>Authenticates an RA-TLS client certificate (GetAppKey, GetKmsKey).</summary>
    /// <param name="certificate">The TLS client certificate, or null when none was presented.</param>
    /// <param name="vmConfig">The request's <c>vm_config</c>; empty means use the one embedded in the attestation.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    public async Task<KmsResult<AuthenticatedCaller>> AuthenticateCertificateAsync(X509Certificate2? certificate, string vmConfig, CancellationToken cancellationToken)
    {
        if (certificate is null)
        {
            return Unauthenticated(NoAttestation);
        }

        RaTlsCertificate parsed;
        try
        {
            parsed = RaTlsCertificate.Parse(certificate);
        }
        catch (DstackCryptoException ex)
        {
            return Unauthenticated("invalid RA-TLS certificate: " + ex.Message);
        }

        if (parsed.Attestation is null && parsed.LegacyQuote is null)
        {
            return Unauthenticated(NoAttestation);
        }

        var binding = RaTlsQuoteBinding.Check(parsed);
        if (binding.Quote is null)
        {
            return Unauthenticated("invalid quote: " + binding.Problem);
        }

        if (!binding.IsBound)
        {
            return Unauthenticated("report data mismatch: " + binding.Problem);
        }

        VersionedAttestation attestation;
        byte[] encoded;
        if (binding.Attestation is { } decoded)
        {
            attestation = decoded;
            encoded = parsed.Attestation!.Value.ToArray();
        }
        else
        {
            if (parsed.LegacyEventLog is not { } eventLogJson)
            {
                return Unauthenticated("legacy RA-TLS certificate carries a quote (.1.1) but no event log (.1.2)");
            }

            IReadOnlyList<TdxEvent> events;
            try
            {
                events = EventLogJson.Deserialize(System.Text.Encoding.UTF8.GetString(eventLogJson.Span));
            }
            catch (Exception ex) when (ex is FormatException or System.Text.Json.JsonException or EventLogFormatException)
            {
                return Unauthenticated("legacy RA-TLS event log is invalid: " + ex.Message);
            }

            attestation = new VersionedAttestation
            {
                Quote = binding.Quote.Raw.ToArray(),
                EventLog = events,
                RuntimeEvents = AppInfoCalculator.RuntimeEventsOf(events),
                ReportData = binding.Quote.ReportData.ToArray(),
                Config = string.Empty,
            };
            encoded = AttestationCodec.EncodeV0(attestation);
        }

        return await VerifyAsync(attestation, encoded, binding.Quote, vmConfig, bootTime: false, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Authenticates a bare attestation bound to <paramref name="expectedReportData"/> (SignCert: the CSR key).</summary>
    public async Task<KmsResult<AuthenticatedCaller>> AuthenticateAttestationAsync(
        byte[] encodedAttestation,
        ReadOnlyMemory<byte> expectedReportData,
        string vmConfig,
        bool bootTime,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(encodedAttestation);
        VersionedAttestation attestation;
        try
        {
            attestation = AttestationCodec.Decode(encodedAttestation);
        }
        catch (FormatException ex)
        {
            return Unauthenticated("invalid attestation: " + ex.Message);
        }

        if (!CryptographicOperations.FixedTimeEquals(attestation.ReportData, expectedReportData.Span))
        {
            return Unauthenticated("report data mismatch: the attestation does not bind the presented key");
        }

        if (!TdxQuote.TryParse(attestation.Quote, out var quote, out var error))
        {
            return Unauthenticated("invalid quote: " + error.Message);
        }

        return await VerifyAsync(attestation, encodedAttestation, quote, vmConfig, bootTime, cancellationToken).ConfigureAwait(false);
    }

    private async Task<KmsResult<AuthenticatedCaller>> VerifyAsync(
        VersionedAttestation attestation,
        byte[] encoded,
        TdxQuote quote,
        string vmConfig,
        bool bootTime,
        CancellationToken cancellationToken)
    {
        if (!CryptographicOperations.FixedTimeEquals(attestation.ReportData, quote.ReportData.Span))
        {
            return Unauthenticated("tdx report_data mismatch: the attestation's report data is not the quote's");
        }

        var lookup = await _collateral.GetCollateralAsync(quote, cancellationToken).ConfigureAwait(false);
        if (lookup.Collateral is null && _requireCollateral)
        {
            return Unauthenticated(CollateralUnavailable + lookup.Problem);
        }

        var verification = _verifier.Verify(quote, lookup.Collateral);
        if (!verification.IsValid)
        {
            return Unauthenticated($"quote verification failed (trust root '{verification.TrustRootName}'): {string.Join("; ", verification.Failures)}");
        }

        if (quote.IsDebug && !_allowDebugTds)
        {
            return Unauthenticated("Debug mode is not allowed: the TD has the DEBUG attribute");
        }

        var runtimeEvents = ResolveRuntimeEvents(attestation, out var eventProblem);
        if (runtimeEvents is null)
        {
            return Unauthenticated(eventProblem!);
        }

        var replayProblem = CheckReplay(attestation, runtimeEvents, quote);
        if (replayProblem is not null)
        {
            return Unauthenticated(replayProblem);
        }

        var measurements = TdMeasurements.Of(quote);
        var appInfo = AppInfoCalculator.Compute(measurements, runtimeEvents, bootTime);
        if (appInfo.AppId.Length != 20)
        {
            return KmsResult<AuthenticatedCaller>.Refused(KmsRefusalKind.InvalidRequest, $"app_id must be 20 bytes, the attestation's app-id event has {appInfo.AppId.Length}");
        }

        var ppid = PckPpid.TryRead(quote, out var ppidProblem);
        if (ppid is null)
        {
            return Unauthenticated("cannot determine the device id: " + ppidProblem);
        }

        var config = vmConfig.Length > 0 ? vmConfig : attestation.Config;
        var osImageHash = AppInfoCalculator.OsImageHashFromConfig(config) ?? [];
        var bootInfo = new BootInfo
        {
            MrAggregated = appInfo.MrAggregated,
            OsImageHash = osImageHash,
            MrSystem = appInfo.MrSystem,
            AppId = appInfo.AppId,
            ComposeHash = appInfo.ComposeHash,
            InstanceId = appInfo.InstanceId,
            DeviceId = SHA256.HashData(ppid),
            KeyProviderInfo = appInfo.KeyProviderInfo,
            TcbStatus = verification.TcbStatus,
            AdvisoryIds = verification.AdvisoryIds,
        };
        return new AuthenticatedCaller(bootInfo, attestation, encoded, measurements, runtimeEvents, config);
    }

    private static IReadOnlyList<RuntimeEvent>? ResolveRuntimeEvents(VersionedAttestation attestation, out string? problem)
    {
        problem = null;
        var fromLog = AppInfoCalculator.RuntimeEventsOf(attestation.EventLog);
        if (attestation.RuntimeEvents.Count == 0)
        {
            return fromLog;
        }

        if (fromLog.Count > 0 && !SameEvents(fromLog, attestation.RuntimeEvents))
        {
            problem = "the attestation's event log and runtime events disagree";
            return null;
        }

        return attestation.RuntimeEvents;
    }

    private static bool SameEvents(IReadOnlyList<RuntimeEvent> a, IReadOnlyList<RuntimeEvent> b) =>
        a.Count == b.Count && a.Zip(b).All(p => p.First.Name == p.Second.Name && p.First.Payload.AsSpan().SequenceEqual(p.Second.Payload));

    private static string? CheckReplay(VersionedAttestation attestation, IReadOnlyList<RuntimeEvent> runtimeEvents, TdxQuote quote)
    {
        try
        {
            var rtmr3 = AppInfoCalculator.ReplayRuntimeEvents(runtimeEvents, bootTime: false);
            if (!CryptographicOperations.FixedTimeEquals(rtmr3, quote.Rtmrs[3].Span))
            {
                return $"RTMR3 mismatch: the runtime events replay to {Convert.ToHexStringLower(rtmr3)}, the quote has {Convert.ToHexStringLower(quote.Rtmrs[3].Span)}";
            }

            // A full boot log (it has RTMR1/RTMR2 events; the stripped certificate form keeps only RTMR0 ACPI events)
            // must replay to the quoted RTMR0–2 as well.
            var bootEvents = attestation.EventLog.Where(e => !e.IsRuntimeEvent && e.Imr < 3).ToList();
            if (bootEvents.Any(e => e.Imr is 1 or 2))
            {
                var replayed = RtmrReplay.Replay(bootEvents);
                for (var i = 0; i < 3; i++)
                {
                    if (!CryptographicOperations.FixedTimeEquals(replayed[i], quote.Rtmrs[i].Span))
                    {
                        return $"RTMR{i} mismatch: the boot event log does not replay to the quoted value";
                    }
                }
            }

            return null;
        }
        catch (EventLogFormatException ex)
        {
            return "invalid event log: " + ex.Message;
        }
    }

    private static KmsResult<AuthenticatedCaller> Unauthenticated(string reason) =>
        KmsResult<AuthenticatedCaller>.Refused(KmsRefusalKind.Unauthenticated, reason);
}
