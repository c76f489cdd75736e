using Dstack.Attestation.Dcap;

namespace Dstack.Attestation.Simulation;

/// <summary>Knobs for <see cref="MockDcapPki.CreateCollateral(MockCollateralOptions)"/>; the defaults are spec dcap-collateral §8's collateral.</summary>
public sealed class MockCollateralOptions
{
    /// <summary><c>issueDate</c> of TCB info and QE identity, <c>thisUpdate</c> of both CRLs.</summary>
    public required DateTimeOffset IssueDate { get; init; }

    /// <summary><c>nextUpdate</c> of TCB info, QE identity and both CRLs.</summary>
    public required DateTimeOffset NextUpdate { get; init; }

    /// <summary>Status of the single all-zero TCB level used when <see cref="TcbLevels"/> is <see langword="null"/>.</summary>
    public string TcbStatus { get; init; } = TcbStatuses.UpToDate;

    /// <summary>Advisories of that single level.</summary>
    public IReadOnlyList<string> AdvisoryIds { get; init; } = [];

    /// <summary>The platform TCB levels, in the JSON order to write (the evaluator sorts them); <see langword="null"/> for the single level above.</summary>
    public IReadOnlyList<MockTcbLevel>? TcbLevels { get; init; }

    /// <summary><c>tdxModuleIdentities</c> entries to write (none by default).</summary>
    public IReadOnlyList<MockTdxModuleIdentity>? TdxModuleIdentities { get; init; }

    /// <summary>MRSIGNER (96 hex digits) of <c>tdxModule</c> and the identities; <see langword="null"/> for zero (Intel).</summary>
    public string? TdxModuleMrSigner { get; init; }

    /// <summary>Status of the QE identity's single level (ISVSVN of the mock QE).</summary>
    public string QeTcbStatus { get; init; } = TcbStatuses.UpToDate;

    /// <summary>Advisories of the QE identity level.</summary>
    public IReadOnlyList<string> QeAdvisoryIds { get; init; } = [];

    /// <summary>Whether the PCK CRL lists the mock PCK leaf's serial.</summary>
    public bool RevokePckCertificate { get; init; }

    /// <summary>FMSPC of the TCB info (12 hex digits); the mock PCK certificate has <c>000000000000</c>.</summary>
    public string Fmspc { get; init; } = "000000000000";

    /// <summary><c>tcbEvaluationDataNumber</c> of TCB info and QE identity.</summary>
    public int TcbEvaluationDataNumber { get; init; } = 1;
}
