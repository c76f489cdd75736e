namespace Dstack.Attestation.Dcap;

/// <summary>
/// What a successful evaluation against collateral established (spec dcap-collateral §4): the final TCB status and advisories,
/// the platform and QE parts, the facts they rest on, and the window in which the collateral used is valid.
/// </summary>
public sealed class TcbEvaluation
{
    /// <summary>Final status: <c>merge(merge(platform level, TDX module), QE)</c>.</summary>
    public required string Status { get; init; }

    /// <summary>Advisory ids of the final status, in merge order.</summary>
    public required IReadOnlyList<string> AdvisoryIds { get; init; }

    /// <summary>Status of the matched platform TCB level merged with the TDX module level.</summary>
    public required string PlatformStatus { get; init; }

    /// <summary>Advisory ids of <see cref="PlatformStatus"/>.</summary>
    public required IReadOnlyList<string> PlatformAdvisoryIds { get; init; }

    /// <summary>Status of the QE identity level.</summary>
    public required string QeStatus { get; init; }

    /// <summary>Advisory ids of <see cref="QeStatus"/>.</summary>
    public required IReadOnlyList<string> QeAdvisoryIds { get; init; }

    /// <summary>FMSPC of the PCK certificate, 12 uppercase hex digits.</summary>
    public required string Fmspc { get; init; }

    /// <summary>The PCK CA type: <c>platform</c> or <c>processor</c>.</summary>
    public required string CaType { get; init; }

    /// <summary>PCESVN of the PCK certificate.</summary>
    public required int PceSvn { get; init; }

    /// <summary>CPUSVN of the PCK certificate, lowercase hex.</summary>
    public required string CpuSvn { get; init; }

    /// <summary>PPID of the PCK certificate, lowercase hex (empty when absent).</summary>
    public required string Ppid { get; init; }

    /// <summary>Index of the matched level in the canonical (sorted) order of the TCB info levels.</summary>
    public required int MatchedTcbLevel { get; init; }

    /// <summary><c>tcbDate</c> of the matched level.</summary>
    public required string MatchedTcbDate { get; init; }

    /// <summary>The <c>tdxModuleIdentities</c> entry used (<c>TDX_01</c>, …); <see langword="null"/> when only <c>tdxModule</c> applied.</summary>
    public string? TdxModuleIdentityId { get; init; }

    /// <summary><c>tcbEvaluationDataNumber</c> of the TCB info.</summary>
    public required long TcbEvaluationDataNumber { get; init; }

    /// <summary><c>tcbEvaluationDataNumber</c> of the QE identity, when it has one.</summary>
    public long? QeIdentityEvaluationDataNumber { get; init; }

    /// <summary>Latest start of the collateral's windows: TCB info and QE identity <c>issueDate</c>, every certificate's <c>notBefore</c>.</summary>
    public required DateTimeOffset ValidFrom { get; init; }

    /// <summary>
    /// Earliest end of the collateral's windows: TCB info and QE identity <c>nextUpdate</c>, both CRLs' <c>nextUpdate</c>, every
    /// certificate's <c>notAfter</c>. The set is usable while <c>ValidFrom ≤ now &lt; ValidUntil</c> (a CRL is expired at its
    /// <c>nextUpdate</c>, so the upper bound is exclusive; this may be one second conservative for the other items).
    /// </summary>
    public required DateTimeOffset ValidUntil { get; init; }
}
