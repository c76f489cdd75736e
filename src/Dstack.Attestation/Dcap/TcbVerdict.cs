namespace Dstack.Attestation.Dcap;

/// <summary>A TCB status with its advisory ids, as one evaluation step (platform level, TDX module, QE) produces it.</summary>
internal sealed record TcbVerdict(string Status, IReadOnlyList<string> AdvisoryIds)
{
    /// <summary>
    /// Merges two verdicts (spec dcap-collateral §4.5): the more severe status wins (a tie keeps this one's), and the
    /// advisories are this verdict's followed by those of <paramref name="other"/> not yet listed, order kept.
    /// </summary>
    public TcbVerdict Merge(TcbVerdict other)
    {
        ArgumentNullException.ThrowIfNull(other);
        var status = TcbStatuses.Severity(other.Status) > TcbStatuses.Severity(Status) ? other.Status : Status;
        var advisories = new List<string>(AdvisoryIds);
        foreach (var id in other.AdvisoryIds)
        {
            if (!advisories.Contains(id, StringComparer.Ordinal))
            {
                advisories.Add(id);
            }
        }

        return new TcbVerdict(status, advisories);
    }
}
