using System.Security.Cryptography;
using System.Text.Json;

namespace Dstack.Attestation.EventLog;

/// <summary>Derives <see cref="AppInfo"/> from runtime events and TD measurements (spec tdx-boot §3.6).</summary>
public static class AppInfoCalculator
{
    /// <summary>Event after which runtime events are application-controlled and ignored for identity.</summary>
    public const string SystemReady = "system-ready";

    /// <summary>Event that ends the boot-time RTMR3 replay.</summary>
    public const string BootMrDone = "boot-mr-done";

    /// <summary>
    /// Computes the app info. In runtime mode RTMR3' is the replay of all runtime events; in boot-time mode it
    /// stops after the first <c>boot-mr-done</c> and the key-provider info is omitted.
    /// </summary>
    public static AppInfo Compute(TdMeasurements measurements, IReadOnlyList<RuntimeEvent> runtimeEvents, bool bootTime = false)
    {
        ArgumentNullException.ThrowIfNull(measurements);
        ArgumentNullException.ThrowIfNull(runtimeEvents);
        var keyProvider = bootTime ? [] : FindPayload(runtimeEvents, "key-provider") ?? [];
        var mrKeyProvider = keyProvider.Length == 0 ? new byte[32] : SHA256.HashData(keyProvider);
        return new AppInfo
        {
            AppId = FindPayload(runtimeEvents, "app-id") ?? [],
            ComposeHash = FindPayload(runtimeEvents, "compose-hash") ?? [],
            InstanceId = FindPayload(runtimeEvents, "instance-id") ?? [],
            KeyProviderInfo = keyProvider,
            MrSystem = SHA256.HashData(Concat(measurements.MrTd, measurements.Rtmr0, measurements.Rtmr1, measurements.Rtmr2, mrKeyProvider)),
            MrAggregated = MrAggregated(measurements, ReplayRuntimeEvents(runtimeEvents, bootTime)),
            DeviceId = SHA256.HashData([]),
        };
    }

    /// <summary>The runtime events of an event log (type 0x08000001 in RTMR3), in order.</summary>
    public static IReadOnlyList<RuntimeEvent> RuntimeEventsOf(IEnumerable<TdxEvent> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        return events.Where(e => e.IsRuntimeEvent).Select(RuntimeEvent.FromTdxEvent).ToList();
    }

    /// <summary>Payload of the first event named <paramref name="name"/> before <c>system-ready</c>, or null.</summary>
    public static byte[]? FindPayload(IReadOnlyList<RuntimeEvent> runtimeEvents, string name)
    {
        ArgumentNullException.ThrowIfNull(runtimeEvents);
        foreach (var e in runtimeEvents)
        {
            if (e.Name == SystemReady)
            {
                break;
            }

            if (e.Name == name)
            {
                return e.Payload;
            }
        }

        return null;
    }

    /// <summary>All payloads of events named <paramref name="name"/> before <c>system-ready</c> (e.g. <c>init-script-hash</c>).</summary>
    public static IReadOnlyList<byte[]> FindAllPayloads(IReadOnlyList<RuntimeEvent> runtimeEvents, string name)
    {
        ArgumentNullException.ThrowIfNull(runtimeEvents);
        return runtimeEvents.TakeWhile(e => e.Name != SystemReady).Where(e => e.Name == name).Select(e => e.Payload).ToList();
    }

    /// <summary>RTMR3 replayed from runtime events, all of them or (boot-time) through the first <c>boot-mr-done</c>.</summary>
    public static byte[] ReplayRuntimeEvents(IReadOnlyList<RuntimeEvent> runtimeEvents, bool bootTime)
    {
        ArgumentNullException.ThrowIfNull(runtimeEvents);
        var rtmr = new byte[48];
        foreach (var e in runtimeEvents)
        {
            rtmr = SHA384.HashData(Concat(rtmr, e.ComputeDigest()));
            if (bootTime && e.Name == BootMrDone)
            {
                break;
            }
        }

        return rtmr;
    }

    /// <summary>
    /// Reads <c>os_image_hash</c> from a config string: either a <c>vm_config</c> JSON or an old-style sys-config
    /// whose <c>vm_config</c> member is a JSON string. Returns null when empty, absent or unparsable.
    /// </summary>
    public static byte[]? OsImageHashFromConfig(string config)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (config.Length == 0)
        {
            return null;
        }

        try
        {
            using var doc = JsonDocument.Parse(config);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            if (root.TryGetProperty("vm_config", out var nested) && nested.ValueKind == JsonValueKind.String)
            {
                return OsImageHashFromConfig(nested.GetString()!);
            }

            return root.TryGetProperty("os_image_hash", out var hash) && hash.ValueKind == JsonValueKind.String
                ? Convert.FromHexString(hash.GetString()!)
                : null;
        }
        catch (Exception ex) when (ex is JsonException or FormatException)
        {
            return null;
        }
    }

    private static byte[] MrAggregated(TdMeasurements m, byte[] rtmr3)
    {
        var parts = new List<byte[]> { m.MrTd, m.Rtmr0, m.Rtmr1, m.Rtmr2, rtmr3 };
        if (m.MrConfigId.Any(b => b != 0) || m.MrOwner.Any(b => b != 0) || m.MrOwnerConfig.Any(b => b != 0))
        {
            parts.Add(m.MrConfigId);
            parts.Add(m.MrOwner);
            parts.Add(m.MrOwnerConfig);
        }

        return SHA256.HashData(Concat([.. parts]));
    }

    private static byte[] Concat(params byte[][] parts)
    {
        var result = new byte[parts.Sum(p => p.Length)];
        var offset = 0;
        foreach (var p in parts)
        {
            p.CopyTo(result, offset);
            offset += p.Length;
        }

        return result;
    }
}
