using System.Text.Json;

namespace Dstack.Attestation.Dcap;

/// <summary>A parsed TDX TCB info document (Intel PCS/PCCS v4, <c>tcbInfo.version</c> 3).</summary>
internal sealed class TcbInfo
{
    private const string Path = "tcbInfo";

    public required string RawBody { get; init; }

    public required byte[] Signature { get; init; }

    public required DateTimeOffset IssueDate { get; init; }

    public required DateTimeOffset NextUpdate { get; init; }

    public required byte[] Fmspc { get; init; }

    public required byte[] PceId { get; init; }

    public required int TcbEvaluationDataNumber { get; init; }

    public byte[]? TdxModuleMrSigner { get; init; }

    public byte[]? TdxModuleAttributes { get; init; }

    public byte[]? TdxModuleAttributesMask { get; init; }

    public required IReadOnlyList<TcbLevel> Levels { get; init; }

    public static TcbInfo Parse(string json)
    {
        using var document = CollateralJson.ParseDocument(json, "TCB info");
        var (body, raw, signature) = CollateralJson.SignedBody(document, Path, "TCB info");
        var id = CollateralJson.String(body, "id", Path);
        if (id != "TDX")
        {
            throw new FormatException($"{Path}.id: expected \"TDX\", got \"{id}\"");
        }

        var version = CollateralJson.Int(body, "version", Path);
        if (version != 3)
        {
            throw new FormatException($"{Path}.version: expected 3, got {version}");
        }

        byte[]? moduleSigner = null, moduleAttributes = null, moduleMask = null;
        if (body.TryGetProperty("tdxModule", out var module))
        {
            const string modulePath = Path + ".tdxModule";
            moduleSigner = CollateralJson.Hex(module, "mrsigner", modulePath, 48);
            moduleAttributes = CollateralJson.Hex(module, "attributes", modulePath, 8);
            moduleMask = CollateralJson.Hex(module, "attributesMask", modulePath, 8);
        }

        var levels = new List<TcbLevel>();
        var index = 0;
        foreach (var level in CollateralJson.Array(body, "tcbLevels", Path))
        {
            levels.Add(ParseLevel(level, $"{Path}.tcbLevels[{index++}]"));
        }

        if (levels.Count == 0)
        {
            throw new FormatException($"{Path}.tcbLevels: empty");
        }

        _ = CollateralJson.Int(body, "tcbType", Path);
        return new TcbInfo
        {
            RawBody = raw,
            Signature = signature,
            IssueDate = CollateralJson.Date(body, "issueDate", Path),
            NextUpdate = CollateralJson.Date(body, "nextUpdate", Path),
            Fmspc = CollateralJson.Hex(body, "fmspc", Path, 6),
            PceId = CollateralJson.Hex(body, "pceId", Path, 2),
            TcbEvaluationDataNumber = CollateralJson.Int(body, "tcbEvaluationDataNumber", Path),
            TdxModuleMrSigner = moduleSigner,
            TdxModuleAttributes = moduleAttributes,
            TdxModuleAttributesMask = moduleMask,
            Levels = levels,
        };
    }

    private static TcbLevel ParseLevel(JsonElement level, string path)
    {
        var tcb = CollateralJson.Property(level, "tcb", path);
        var tcbPath = path + ".tcb";
        return new TcbLevel(
            ParseComponents(tcb, "sgxtcbcomponents", tcbPath),
            CollateralJson.Int(tcb, "pcesvn", tcbPath),
            ParseComponents(tcb, "tdxtcbcomponents", tcbPath),
            CollateralJson.Date(level, "tcbDate", path),
            CollateralJson.Status(level, path),
            CollateralJson.AdvisoryIds(level, path));
    }

    private static int[] ParseComponents(JsonElement tcb, string name, string path)
    {
        var components = new List<int>();
        foreach (var component in CollateralJson.Array(tcb, name, path))
        {
            var componentPath = $"{path}.{name}[{components.Count}]";
            if (components.Count == 16)
            {
                throw new FormatException($"{path}.{name}: more than 16 components");
            }

            components.Add(CollateralJson.Int(component, "svn", componentPath));
        }

        return components.Count == 16 ? [.. components] : throw new FormatException($"{path}.{name}: expected 16 components, got {components.Count}");
    }
}
