using System.Buffers.Binary;
using System.Text.Json;

namespace Dstack.Attestation.Dcap;

/// <summary>
/// A parsed QE identity object (the <c>enclaveIdentity</c> value; spec dcap-collateral §4.4). Only the shape is checked
/// here; <c>id</c>, <c>version</c> and dates are judged by <see cref="CollateralEvaluator"/>.
/// </summary>
internal sealed class QeIdentity
{
    private const string Path = "enclaveIdentity";

    public required string Id { get; init; }

    public required int Version { get; init; }

    public required DateTimeOffset IssueDate { get; init; }

    public required DateTimeOffset NextUpdate { get; init; }

    public long? TcbEvaluationDataNumber { get; init; }

    /// <summary>MISCSELECT, the 4 hex bytes read as a little-endian u32 (as dcap-qvl does).</summary>
    public required uint MiscSelect { get; init; }

    /// <summary>MISCSELECT mask, read like <see cref="MiscSelect"/>.</summary>
    public required uint MiscSelectMask { get; init; }

    public required byte[] Attributes { get; init; }

    public required byte[] AttributesMask { get; init; }

    public required byte[] MrSigner { get; init; }

    public required int IsvProdId { get; init; }

    /// <summary>The levels in JSON order.</summary>
    public required IReadOnlyList<IsvSvnLevel> Levels { get; init; }

    /// <summary>Parses the exact text of an <c>enclaveIdentity</c> object.</summary>
    /// <exception cref="FormatException">Not JSON, or a field is missing or has the wrong type (the message names it).</exception>
    public static QeIdentity Parse(string json)
    {
        using var document = CollateralJson.ParseDocument(json, Path);
        var body = document.RootElement;
        if (body.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException($"{Path}: expected an object");
        }

        var levels = new List<IsvSvnLevel>();
        foreach (var level in CollateralJson.Array(body, "tcbLevels", Path))
        {
            levels.Add(IsvSvnLevel.Parse(level, $"{Path}.tcbLevels[{levels.Count}]"));
        }

        return new QeIdentity
        {
            Id = CollateralJson.String(body, "id", Path),
            Version = (int)CollateralJson.Int(body, "version", Path, byte.MaxValue),
            IssueDate = CollateralJson.Date(body, "issueDate", Path),
            NextUpdate = CollateralJson.Date(body, "nextUpdate", Path),
            TcbEvaluationDataNumber = body.TryGetProperty("tcbEvaluationDataNumber", out _)
                ? CollateralJson.Int(body, "tcbEvaluationDataNumber", Path, uint.MaxValue)
                : null,
            MiscSelect = BinaryPrimitives.ReadUInt32LittleEndian(CollateralJson.Hex(body, "miscselect", Path, 4)),
            MiscSelectMask = BinaryPrimitives.ReadUInt32LittleEndian(CollateralJson.Hex(body, "miscselectMask", Path, 4)),
            Attributes = CollateralJson.Hex(body, "attributes", Path, 16),
            AttributesMask = CollateralJson.Hex(body, "attributesMask", Path, 16),
            MrSigner = CollateralJson.Hex(body, "mrsigner", Path, 32),
            IsvProdId = (int)CollateralJson.Int(body, "isvprodid", Path, ushort.MaxValue),
            Levels = levels,
        };
    }
}
