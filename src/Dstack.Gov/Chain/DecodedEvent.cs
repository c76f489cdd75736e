using System.Globalization;
using System.Numerics;
using System.Text.Json.Nodes;
using Dstack.Ethereum;
using Dstack.Ethereum.Abi;
using Dstack.Ethereum.Rpc;
using Dstack.Gov.Cli;

namespace Dstack.Gov.Chain;

/// <summary>A governance event decoded against its contract's ABI, with its place in the chain.</summary>
/// <param name="Event">The event definition.</param>
/// <param name="Values">The decoded arguments in declaration order.</param>
/// <param name="Log">The raw log.</param>
internal sealed record DecodedEvent(AbiEvent Event, IReadOnlyList<object?> Values, LogEntry Log)
{
    /// <summary>Decodes the logs that <paramref name="contract"/> emitted and that its ABI knows, in order.</summary>
    public static IReadOnlyList<DecodedEvent> Decode(IEnumerable<LogEntry> logs, EvmAddress contract, ContractAbi abi)
    {
        var events = new List<DecodedEvent>();
        foreach (var log in logs)
        {
            if (log.Address == contract && log.Topics.Count > 0 && abi.FindEventByTopic(log.Topics[0]) is { } definition)
            {
                events.Add(new DecodedEvent(definition, definition.Decode(log.Topics, log.Data), log));
            }
        }

        return events;
    }

    /// <summary>One line: <c>ComposeHashAdded(composeHash=0x…)</c>; <c>PolicyChanged</c> keys are shown as their labels.</summary>
    public string Describe() =>
        Event.Name + "(" + string.Join(", ", Event.Inputs.Select((input, i) => input.Name + "=" + FormatValue(input.Name, Values[i]))) + ")";

    /// <summary>The arguments as a JSON object (hex for bytes, checksummed addresses, decimal strings for big numbers).</summary>
    public JsonObject ArgumentsJson()
    {
        var json = new JsonObject();
        for (var i = 0; i < Event.Inputs.Count; i++)
        {
            json[Event.Inputs[i].Name] = ToJson(Event.Inputs[i].Name, Values[i]);
        }

        return json;
    }

    private string FormatValue(string name, object? value) => value switch
    {
        byte[] key when IsPolicyKey(name) && PolicyLabels.Find(key) is { } label => label,
        byte[] bytes => Arguments.Hex(bytes),
        bool flag => flag ? "true" : "false",
        BigInteger number => number.ToString(CultureInfo.InvariantCulture),
        string text => "\"" + text + "\"",
        null => "null",
        object?[] list => "[" + string.Join(", ", list.Select(item => FormatValue(string.Empty, item))) + "]",
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty,
    };

    private JsonNode? ToJson(string name, object? value) => value switch
    {
        byte[] key when IsPolicyKey(name) && PolicyLabels.Find(key) is { } label => label,
        byte[] bytes => Arguments.Hex(bytes),
        bool flag => flag,
        BigInteger number => number.ToString(CultureInfo.InvariantCulture),
        string text => text,
        null => null,
        object?[] list => new JsonArray(list.Select(item => ToJson(string.Empty, item)).ToArray()),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture),
    };

    private bool IsPolicyKey(string name) => Event.Name == "PolicyChanged" && name == "policy";
}
