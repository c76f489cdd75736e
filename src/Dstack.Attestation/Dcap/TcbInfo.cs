using System.Text.Json;

namespace Dstack.Attestation.Dcap;

/// <summary>
/// A parsed TCB info object (the <c>tcbInfo</c> value of a PCS/PCCS answer; spec dcap-collateral §4.1). Only the shape is
/// checked here; <c>id</c>, <c>version</c>, FMSPC, dates and component counts are judged by <see cref="CollateralEvaluator"/>.
/// </summary>
internal sealed class TcbInfo
{
    private const string Path = "tcbInfo";

    public required string Id { get; init; }

    public required int Version { get; init; }

    public required DateTimeOffset IssueDate { get; init; }

    public required DateTimeOffset NextUpdate { get; init; }

    public required byte[] Fmspc { get; init; }

    public required byte[] PceId { get; init; }

    public required long TcbType { get; init; }

    public required long TcbEvaluationDataNumber { get; init; }

    /// <summary>The <c>tdxModule</c> object, when present.</summary>
    public TdxModuleIdentity? TdxModule { get; init; }

    /// <summary>The <c>tdxModuleIdentities</c> entries in JSON order (empty when absent).</summary>
    public required IReadOnlyList<TdxModuleIdentity> TdxModuleIdentities { get; init; }

    /// <summary>The TCB levels in JSON order.</summary>
    public required IReadOnlyList<TcbLevel> Levels { get; init; }

    /// <summary>Parses the exact text of a <c>tcbInfo</c> object.</summary>
    /// <exception cref="FormatException">Not JSON, or a field is missing or has the wrong type (the message names it).</exception>
    public static TcbInfo Parse(string json)
    {
        using var document = CollateralJson.ParseDocument(json, Path);
        var body = document.RootElement;
        if (body.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException($"{Path}: expected an object");
        }

        TdxModuleIdentity? module = null;
        if (body.TryGetProperty("tdxModule", out var moduleElement))
        {
            module = ParseModule(moduleElement, Path + ".tdxModule", withLevels: false);
        }

        var identities = new List<TdxModuleIdentity>();
        if (body.TryGetProperty("tdxModuleIdentities", out var identitiesElement))
        {
            foreach (var identity in CollateralJson.Array(body, "tdxModuleIdentities", Path))
            {
                identities.Add(ParseModule(identity, $"{Path}.tdxModuleIdentities[{identities.Count}]", withLevels: true));
            }
        }

        var levels = new List<TcbLevel>();
        foreach (var level in CollateralJson.Array(body, "tcbLevels", Path))
        {
            levels.Add(ParseLevel(level, $"{Path}.tcbLevels[{levels.Count}]"));
        }

        return new TcbInfo
        {
            Id = CollateralJson.String(body, "id", Path),
            Version = (int)CollateralJson.Int(body, "version", Path, byte.MaxValue),
            IssueDate = CollateralJson.Date(body, "issueDate", Path),
            NextUpdate = CollateralJson.Date(body, "nextUpdate", Path),
            Fmspc = CollateralJson.Hex(body, "fmspc", Path),
            PceId = CollateralJson.Hex(body, "pceId", Path),
            TcbType = CollateralJson.Int(body, "tcbType", Path, uint.MaxValue),
            TcbEvaluationDataNumber = CollateralJson.Int(body, "tcbEvaluationDataNumber", Path, uint.MaxValue),
            TdxModule = module,
            TdxModuleIdentities = identities,
            Levels = levels,
        };
    }

    private static TdxModuleIdentity ParseModule(JsonElement module, string path, bool withLevels)
    {
        var levels = new List<IsvSvnLevel>();
        if (withLevels)
        {
            foreach (var level in CollateralJson.Array(module, "tcbLevels", path))
            {
                levels.Add(IsvSvnLevel.Parse(level, $"{path}.tcbLevels[{levels.Count}]"));
            }
        }

        return new TdxModuleIdentity(
            withLevels ? CollateralJson.String(module, "id", path) : null,
            CollateralJson.Hex(module, "mrsigner", path, 48),
            CollateralJson.Hex(module, "attributes", path, 8),
            CollateralJson.Hex(module, "attributesMask", path, 8),
            levels);
    }

    private static TcbLevel ParseLevel(JsonElement level, string path)
    {
        var tcb = CollateralJson.Property(level, "tcb", path);
        var tcbPath = path + ".tcb";
        return new TcbLevel(
            ParseComponents(tcb, "sgxtcbcomponents", tcbPath, required: true),
            (int)CollateralJson.Int(tcb, "pcesvn", tcbPath, ushort.MaxValue),
            ParseComponents(tcb, "tdxtcbcomponents", tcbPath, required: false),
            CollateralJson.String(level, "tcbDate", path),
            CollateralJson.Status(level, path),
            CollateralJson.AdvisoryIds(level, path));
    }

    private static int[] ParseComponents(JsonElement tcb, string name, string path, bool required)
    {
        if (!required && !tcb.TryGetProperty(name, out _))
        {
            return [];
        }

        var components = new List<int>();
        foreach (var component in CollateralJson.Array(tcb, name, path))
        {
            components.Add((int)CollateralJson.Int(component, "svn", $"{path}.{name}[{components.Count}]", byte.MaxValue));
            if (components.Count > 64)
            {
                throw new FormatException($"{path}.{name}: more than 64 components");
            }
        }

        return [.. components];
    }
}
