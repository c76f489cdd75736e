using System.Text.Json;

namespace Dstack.Attestation.Dcap;

/// <summary>A level keyed by one ISVSVN, as QE identities and TDX module identities list them (<c>{tcb:{isvsvn}, tcbDate, tcbStatus, advisoryIDs?}</c>).</summary>
internal sealed record IsvSvnLevel(int IsvSvn, string TcbDate, string Status, IReadOnlyList<string> AdvisoryIds)
{
    /// <summary>The verdict this level gives.</summary>
    public TcbVerdict Verdict => new(Status, AdvisoryIds);

    public static IsvSvnLevel Parse(JsonElement level, string path)
    {
        var tcb = CollateralJson.Property(level, "tcb", path);
        return new IsvSvnLevel(
            (int)CollateralJson.Int(tcb, "isvsvn", path + ".tcb", ushort.MaxValue),
            CollateralJson.String(level, "tcbDate", path),
            CollateralJson.Status(level, path),
            CollateralJson.AdvisoryIds(level, path));
    }
}
