namespace Dstack.Attestation.Dcap.Pccs;

/// <summary>
/// When a collateral set can be used (spec dcap-collateral §5, §7 rule 2): from the latest issue date of its TCB info and
/// QE identity to the earliest of their <c>nextUpdate</c> and the CRLs' <c>nextUpdate</c> (exclusive for CRLs), and the
/// TCB evaluation data numbers used against rollback (§7 rule 3). Signatures are not checked here.
/// </summary>
/// <param name="From">The earliest instant at which every item is valid.</param>
/// <param name="Until">The last instant at which every item is valid.</param>
/// <param name="TcbEvaluationDataNumber">The TCB info's evaluation data number.</param>
/// <param name="QeEvaluationDataNumber">The QE identity's evaluation data number.</param>
public readonly record struct CollateralValidity(DateTimeOffset From, DateTimeOffset Until, long TcbEvaluationDataNumber, long QeEvaluationDataNumber)
{
    /// <summary>Reads the windows of <paramref name="collateral"/>.</summary>
    /// <exception cref="FormatException">An item cannot be decoded; the message names it.</exception>
    public static CollateralValidity Of(DcapCollateral collateral)
    {
        ArgumentNullException.ThrowIfNull(collateral);
        var tcb = TcbInfo.Parse(collateral.TcbInfo);
        var qe = QeIdentity.Parse(collateral.QeIdentity);
        var rootCrl = RevocationList.Parse(collateral.RootCaCrl, "root CA CRL");
        var pckCrl = RevocationList.Parse(collateral.PckCrl, "PCK CRL");
        var crlEnd = (rootCrl.NextUpdate < pckCrl.NextUpdate ? rootCrl.NextUpdate : pckCrl.NextUpdate).AddSeconds(-1);
        var from = tcb.IssueDate > qe.IssueDate ? tcb.IssueDate : qe.IssueDate;
        DateTimeOffset[] ends = [tcb.NextUpdate, qe.NextUpdate, crlEnd];
        return new CollateralValidity(from, ends.Min(), tcb.TcbEvaluationDataNumber, qe.TcbEvaluationDataNumber ?? 0);
    }

    /// <summary>Whether every item is valid at <paramref name="now"/>.</summary>
    public bool IsValidAt(DateTimeOffset now) => From <= now && now <= Until;

    /// <summary>Half-way through the window: when a cache should fetch a fresher copy (§7 rule 3).</summary>
    public DateTimeOffset RefreshAt => From + ((Until - From) / 2);
}
