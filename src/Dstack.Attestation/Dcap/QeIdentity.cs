namespace Dstack.Attestation.Dcap;

/// <summary>A parsed TD QE identity document (<c>enclaveIdentity</c> with id <c>TD_QE</c>, version 2).</summary>
internal sealed class QeIdentity
{
    private const string Path = "enclaveIdentity";

    public required string RawBody { get; init; }

    public required byte[] Signature { get; init; }

    public required DateTimeOffset IssueDate { get; init; }

    public required DateTimeOffset NextUpdate { get; init; }

    public required uint MiscSelect { get; init; }

    public required uint MiscSelectMask { get; init; }

    public required byte[] Attributes { get; init; }

    public required byte[] AttributesMask { get; init; }

    public required byte[] MrSigner { get; init; }

    public required int IsvProdId { get; init; }

    public required IReadOnlyList<(int IsvSvn, string Status, IReadOnlyList<string> AdvisoryIds)> Levels { get; init; }

    public static QeIdentity Parse(string json)
    {
        using var document = CollateralJson.ParseDocument(json, "QE identity");
        var (body, raw, signature) = CollateralJson.SignedBody(document, Path, "QE identity");
        var id = CollateralJson.String(body, "id", Path);
        if (id != "TD_QE")
        {
            throw new FormatException($"{Path}.id: expected \"TD_QE\", got \"{id}\"");
        }

        var version = CollateralJson.Int(body, "version", Path);
        if (version != 2)
        {
            throw new FormatException($"{Path}.version: expected 2, got {version}");
        }

        var levels = new List<(int, string, IReadOnlyList<string>)>();
        foreach (var level in CollateralJson.Array(body, "tcbLevels", Path))
        {
            var path = $"{Path}.tcbLevels[{levels.Count}]";
            var tcb = CollateralJson.Property(level, "tcb", path);
            levels.Add((CollateralJson.Int(tcb, "isvsvn", path + ".tcb"), CollateralJson.Status(level, path), CollateralJson.AdvisoryIds(level, path)));
        }

        if (levels.Count == 0)
        {
            throw new FormatException($"{Path}.tcbLevels: empty");
        }

        return new QeIdentity
        {
            RawBody = raw,
            Signature = signature,
            IssueDate = CollateralJson.Date(body, "issueDate", Path),
            NextUpdate = CollateralJson.Date(body, "nextUpdate", Path),
            MiscSelect = ReadUInt32Hex(body, "miscselect"),
            MiscSelectMask = ReadUInt32Hex(body, "miscselectMask"),
            Attributes = CollateralJson.Hex(body, "attributes", Path, 16),
            AttributesMask = CollateralJson.Hex(body, "attributesMask", Path, 16),
            MrSigner = CollateralJson.Hex(body, "mrsigner", Path, 32),
            IsvProdId = CollateralJson.Int(body, "isvprodid", Path),
            Levels = levels,
        };
    }

    private static uint ReadUInt32Hex(System.Text.Json.JsonElement body, string name)
    {
        var bytes = CollateralJson.Hex(body, name, Path, 4);
        return System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(bytes);
    }
}
