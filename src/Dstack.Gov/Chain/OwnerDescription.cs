using System.Globalization;
using System.Numerics;
using System.Text.Json.Nodes;
using Dstack.Ethereum;

namespace Dstack.Gov.Chain;

/// <summary>An owner account and what it is, with the values read to decide.</summary>
/// <param name="Address">The owner.</param>
/// <param name="Kind">What it is.</param>
/// <param name="Threshold">For a Safe: signatures needed.</param>
/// <param name="Signers">For a Safe: its owners.</param>
/// <param name="MinDelay">For a timelock: the minimum delay in seconds.</param>
internal sealed record OwnerDescription(EvmAddress Address, OwnerKind Kind, BigInteger? Threshold = null, IReadOnlyList<EvmAddress>? Signers = null, BigInteger? MinDelay = null)
{
    /// <summary>A human description, e.g. <c>a Safe multisig 2-of-3 (0x…, 0x…, 0x…)</c>.</summary>
    public string Describe() => Kind switch
    {
        OwnerKind.ExternallyOwnedAccount => "an externally owned account (a single key; no code)",
        OwnerKind.Safe => $"a Safe multisig {Threshold}-of-{Signers?.Count ?? 0} (signers {string.Join(", ", Signers ?? [])})",
        OwnerKind.Timelock => $"a TimelockController (minimum delay {MinDelay} s)",
        _ => "a contract that is neither a Safe nor a TimelockController",
    };

    /// <summary>The description as JSON.</summary>
    public JsonObject ToJson()
    {
        var json = new JsonObject
        {
            ["address"] = Address.ToString(),
            ["kind"] = Kind switch
            {
                OwnerKind.ExternallyOwnedAccount => "eoa",
                OwnerKind.Safe => "safe",
                OwnerKind.Timelock => "timelock",
                _ => "contract",
            },
        };
        if (Threshold is { } threshold)
        {
            json["threshold"] = threshold.ToString(CultureInfo.InvariantCulture);
            json["signers"] = new JsonArray((Signers ?? []).Select(s => (JsonNode)s.ToString()).ToArray());
        }

        if (MinDelay is { } delay)
        {
            json["min_delay_seconds"] = delay.ToString(CultureInfo.InvariantCulture);
        }

        return json;
    }
}
