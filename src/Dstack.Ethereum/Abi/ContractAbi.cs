using System.Text.Json;

namespace Dstack.Ethereum.Abi;

/// <summary>A contract's ABI, read from the standard JSON ABI that <c>solc</c> emits.</summary>
public sealed class ContractAbi
{
    private ContractAbi(IReadOnlyList<AbiFunction> functions, IReadOnlyList<AbiEvent> events, IReadOnlyList<AbiError> errors)
    {
        Functions = functions;
        Events = events;
        Errors = errors;
    }

    /// <summary>The functions (including overloads).</summary>
    public IReadOnlyList<AbiFunction> Functions { get; }

    /// <summary>The events.</summary>
    public IReadOnlyList<AbiEvent> Events { get; }

    /// <summary>The custom errors.</summary>
    public IReadOnlyList<AbiError> Errors { get; }

    /// <summary>Parses a JSON ABI array.</summary>
    /// <param name="json">The ABI as JSON text.</param>
    /// <returns>The ABI.</returns>
    public static ContractAbi Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return FromJson(document.RootElement);
    }

    /// <summary>Reads a JSON ABI array element.</summary>
    /// <param name="abi">The array.</param>
    /// <returns>The ABI.</returns>
    public static ContractAbi FromJson(JsonElement abi)
    {
        if (abi.ValueKind != JsonValueKind.Array)
        {
            throw new AbiException("A JSON ABI is an array");
        }

        var functions = new List<AbiFunction>();
        var events = new List<AbiEvent>();
        var errors = new List<AbiError>();
        foreach (var entry in abi.EnumerateArray())
        {
            var kind = entry.TryGetProperty("type", out var t) ? t.GetString() : "function";
            var name = entry.TryGetProperty("name", out var n) ? n.GetString() ?? string.Empty : string.Empty;
            switch (kind)
            {
                case "function":
                    functions.Add(new AbiFunction(
                        name,
                        ReadParameters(entry, "inputs"),
                        ReadParameters(entry, "outputs"),
                        entry.TryGetProperty("stateMutability", out var m) ? m.GetString() ?? "nonpayable" : "nonpayable"));
                    break;
                case "event":
                    events.Add(new AbiEvent(
                        name,
                        ReadParameters(entry, "inputs"),
                        entry.TryGetProperty("anonymous", out var a) && a.ValueKind == JsonValueKind.True));
                    break;
                case "error":
                    errors.Add(new AbiError(name, ReadParameters(entry, "inputs")));
                    break;
                default:
                    break; // constructor, fallback, receive
            }
        }

        return new ContractAbi(functions, events, errors);
    }

    /// <summary>Finds a function by canonical signature (<c>initialize(address,address)</c>) or by unique name.</summary>
    /// <param name="nameOrSignature">A signature, or a name that is not overloaded.</param>
    /// <returns>The function.</returns>
    public AbiFunction GetFunction(string nameOrSignature)
    {
        ArgumentNullException.ThrowIfNull(nameOrSignature);
        var matches = nameOrSignature.Contains('(', StringComparison.Ordinal)
            ? Functions.Where(f => f.Signature == nameOrSignature).ToArray()
            : Functions.Where(f => f.Name == nameOrSignature).ToArray();
        return matches.Length switch
        {
            1 => matches[0],
            0 => throw new AbiException("No function " + nameOrSignature + " in the ABI"),
            _ => throw new AbiException("Function " + nameOrSignature + " is overloaded; use its full signature"),
        };
    }

    /// <summary>Finds an event by name.</summary>
    /// <param name="name">The event name.</param>
    /// <returns>The event.</returns>
    public AbiEvent GetEvent(string name) =>
        Events.SingleOrDefault(e => e.Name == name) ?? throw new AbiException("No event " + name + " in the ABI");

    /// <summary>Finds the event whose topic 0 is <paramref name="topic"/>.</summary>
    /// <param name="topic">A log's first topic.</param>
    /// <returns>The event, or null.</returns>
    public AbiEvent? FindEventByTopic(ReadOnlySpan<byte> topic)
    {
        foreach (var e in Events)
        {
            if (!e.Anonymous && topic.SequenceEqual(e.Topic))
            {
                return e;
            }
        }

        return null;
    }

    private static AbiParameter[] ReadParameters(JsonElement entry, string property)
    {
        if (!entry.TryGetProperty(property, out var list) || list.ValueKind != JsonValueKind.Array)
        {
            return [];
        }

        return list.EnumerateArray().Select(ReadParameter).ToArray();
    }

    private static AbiParameter ReadParameter(JsonElement parameter)
    {
        var name = parameter.TryGetProperty("name", out var n) ? n.GetString() ?? string.Empty : string.Empty;
        var typeName = parameter.GetProperty("type").GetString() ?? throw new AbiException("ABI parameter without type");
        var indexed = parameter.TryGetProperty("indexed", out var i) && i.ValueKind == JsonValueKind.True;
        AbiType type;
        if (typeName.StartsWith("tuple", StringComparison.Ordinal))
        {
            var tuple = AbiType.Tuple(ReadParameters(parameter, "components"));
            // re-apply the array suffixes after "tuple", e.g. tuple[2][]
            type = ApplySuffix(tuple, typeName["tuple".Length..]);
        }
        else
        {
            type = AbiType.Parse(typeName);
        }

        return new AbiParameter(name, type, indexed);
    }

    private static AbiType ApplySuffix(AbiType type, string suffix)
    {
        if (suffix.Length == 0)
        {
            return type;
        }

        // parse the suffix against a placeholder, then rebuild it around the real tuple
        var shape = AbiType.Parse("bool" + suffix);
        var lengths = new Stack<int>();
        for (var s = shape; s.Kind is AbiTypeKind.Array or AbiTypeKind.FixedArray; s = s.Element!)
        {
            lengths.Push(s.Kind == AbiTypeKind.Array ? 0 : s.Size);
        }

        while (lengths.Count > 0)
        {
            var length = lengths.Pop();
            type = length == 0 ? AbiType.ArrayOf(type) : AbiType.FixedArrayOf(type, length);
        }

        return type;
    }
}
