namespace Dstack.Attestation.Dcap;

/// <summary>One platform TCB level of a TCB info (spec dcap-collateral §4.1); component arrays as given (16 expected).</summary>
internal sealed record TcbLevel(int[] SgxComponents, int PceSvn, int[] TdxComponents, string TcbDate, string Status, IReadOnlyList<string> AdvisoryIds)
{
    /// <summary>
    /// The canonical order of spec §4.2: descending by the SGX components (lexicographically), then PCESVN, then the TDX components.
    /// </summary>
    public static int CompareDescending(TcbLevel a, TcbLevel b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var order = Lexicographic(b.SgxComponents, a.SgxComponents);
        if (order == 0)
        {
            order = b.PceSvn.CompareTo(a.PceSvn);
        }

        return order != 0 ? order : Lexicographic(b.TdxComponents, a.TdxComponents);
    }

    private static int Lexicographic(int[] x, int[] y) => x.AsSpan().SequenceCompareTo(y);
}
