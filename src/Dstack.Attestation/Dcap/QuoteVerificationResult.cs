using Dstack.Attestation.Quotes;

namespace Dstack.Attestation.Dcap;

/// <summary>The outcome of <see cref="QuoteVerifier.Verify(TdxQuote, DcapCollateral?)"/>: success or the list of reasons it failed, plus what was learned.</summary>
public sealed class QuoteVerificationResult
{
    internal QuoteVerificationResult(
        IReadOnlyList<string> failures,
        TdxQuote? quote,
        string tcbStatus,
        IReadOnlyList<string> advisoryIds,
        PckExtension? pck,
        TrustRoot trustRoot,
        DateTimeOffset verifiedAt,
        TcbEvaluation? tcb)
    {
        Tcb = tcb;
        Failures = failures;
        Quote = quote;
        TcbStatus = tcbStatus;
        AdvisoryIds = advisoryIds;
        Pck = pck;
        TrustRootName = trustRoot.Name;
        TrustRootFingerprint = trustRoot.PublicKeyFingerprint;
        VerifiedAt = verifiedAt;
    }

    /// <summary>Whether every check passed.</summary>
    public bool IsValid => Failures.Count == 0;

    /// <summary>Why verification failed, one human-readable reason per problem; empty on success.</summary>
    public IReadOnlyList<string> Failures { get; }

    /// <summary>The parsed quote; <see langword="null"/> when the input could not be parsed.</summary>
    public TdxQuote? Quote { get; }

    /// <summary>Whether the TD DEBUG attribute is set (reported even when the policy allows it).</summary>
    public bool IsDebug => Quote?.IsDebug ?? false;

    /// <summary>
    /// The TCB status (<see cref="TcbStatuses"/>); <c>Unknown</c> without collateral or when verification with collateral failed
    /// before a status was formed (<c>Revoked</c> when the merged status was revoked).
    /// </summary>
    public string TcbStatus { get; }

    /// <summary>Intel security advisory ids (e.g. <c>INTEL-SA-00837</c>) of the matched TCB levels.</summary>
    public IReadOnlyList<string> AdvisoryIds { get; }

    /// <summary>The full TCB evaluation (platform and QE status, facts, collateral validity window); <see langword="null"/> without collateral or when verification failed.</summary>
    public TcbEvaluation? Tcb { get; }

    /// <summary>The PCK leaf's SGX extension, when it could be read.</summary>
    public PckExtension? Pck { get; }

    /// <summary>FMSPC of the platform as lowercase hex, when the PCK extension could be read.</summary>
    public string? Fmspc => Pck is null ? null : Convert.ToHexStringLower(Pck.Fmspc.Span);

    /// <summary>Name of the trust root the chain was checked against.</summary>
    public string TrustRootName { get; }

    /// <summary>Lowercase hex SHA-256 of the trust root's SubjectPublicKeyInfo.</summary>
    public string TrustRootFingerprint { get; }

    /// <summary>The time used for validity checks.</summary>
    public DateTimeOffset VerifiedAt { get; }
}
