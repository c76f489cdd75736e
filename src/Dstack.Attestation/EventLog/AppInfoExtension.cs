using System.Buffers.Binary;

namespace Dstack.Attestation.EventLog;

/// <summary>
/// The app-info certificate extension payload (OID 1.3.6.1.4.1.62397.1.9): dstack's <c>AppInfo</c> as a MessagePack
/// positional array of nine elements — app_id, compose_hash, instance_id, device_id, mr_system, mr_aggregated,
/// os_image_hash, key_provider_info (each bin) and init_script_hashes (array of bin). Both the agent (certificates it
/// signs itself) and the KMS (<c>SignCert</c> with <c>ext_app_info</c>) decode it from an attestation without platform
/// verification, so <c>device_id</c> is SHA-256 of the empty string.
/// </summary>
public static class AppInfoExtension
{
    /// <summary>
    /// The extension of a TD with <paramref name="measurements"/> whose RTMR3 covers <paramref name="runtimeEvents"/>;
    /// the OS image hash is read from <paramref name="vmConfig"/> (empty when it names none).
    /// </summary>
    public static byte[] Encode(TdMeasurements measurements, IReadOnlyList<RuntimeEvent> runtimeEvents, string vmConfig)
    {
        ArgumentNullException.ThrowIfNull(measurements);
        ArgumentNullException.ThrowIfNull(runtimeEvents);
        ArgumentNullException.ThrowIfNull(vmConfig);
        var info = AppInfoCalculator.Compute(measurements, runtimeEvents);
        return Encode(
            info.AppId,
            info.ComposeHash,
            info.InstanceId,
            info.DeviceId,
            info.MrSystem,
            info.MrAggregated,
            AppInfoCalculator.OsImageHashFromConfig(vmConfig) ?? [],
            info.KeyProviderInfo,
            AppInfoCalculator.FindAllPayloads(runtimeEvents, "init-script-hash"));
    }

    /// <summary>Encodes the nine fields.</summary>
    internal static byte[] Encode(
        ReadOnlySpan<byte> appId,
        ReadOnlySpan<byte> composeHash,
        ReadOnlySpan<byte> instanceId,
        ReadOnlySpan<byte> deviceId,
        ReadOnlySpan<byte> mrSystem,
        ReadOnlySpan<byte> mrAggregated,
        ReadOnlySpan<byte> osImageHash,
        ReadOnlySpan<byte> keyProviderInfo,
        IReadOnlyList<byte[]> initScriptHashes)
    {
        ArgumentNullException.ThrowIfNull(initScriptHashes);
        var output = new List<byte> { 0x99 };
        WriteBin(output, appId);
        WriteBin(output, composeHash);
        WriteBin(output, instanceId);
        WriteBin(output, deviceId);
        WriteBin(output, mrSystem);
        WriteBin(output, mrAggregated);
        WriteBin(output, osImageHash);
        WriteBin(output, keyProviderInfo);
        WriteArrayHeader(output, initScriptHashes.Count);
        foreach (var hash in initScriptHashes)
        {
            WriteBin(output, hash);
        }

        return [.. output];
    }

    private static void WriteArrayHeader(List<byte> output, int count)
    {
        if (count < 16)
        {
            output.Add((byte)(0x90 | count));
        }
        else
        {
            Span<byte> length = stackalloc byte[2];
            BinaryPrimitives.WriteUInt16BigEndian(length, checked((ushort)count));
            output.Add(0xdc);
            output.AddRange(length);
        }
    }

    private static void WriteBin(List<byte> output, ReadOnlySpan<byte> value)
    {
        if (value.Length <= byte.MaxValue)
        {
            output.Add(0xc4);
            output.Add((byte)value.Length);
        }
        else if (value.Length <= ushort.MaxValue)
        {
            Span<byte> length = stackalloc byte[2];
            BinaryPrimitives.WriteUInt16BigEndian(length, (ushort)value.Length);
            output.Add(0xc5);
            output.AddRange(length);
        }
        else
        {
            Span<byte> length = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(length, (uint)value.Length);
            output.Add(0xc6);
            output.AddRange(length);
        }

        output.AddRange(value);
    }
}
