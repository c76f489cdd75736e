using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Dstack.Attestation.EventLog;

/// <summary>Digests of dstack runtime events (spec tdx-boot §3.4, guest-agent-api §6.2).</summary>
public static class RuntimeEventDigest
{
    /// <summary>Builds the V1 preimage <c>LE32(0x08000001) ‖ ":" ‖ name ‖ ":" ‖ payload</c>.</summary>
    public static byte[] V1Preimage(string name, ReadOnlySpan<byte> payload)
    {
        ArgumentNullException.ThrowIfNull(name);
        var nameBytes = CanonicalJson.Utf8(name);
        var result = new byte[4 + 1 + nameBytes.Length + 1 + payload.Length];
        BinaryPrimitives.WriteUInt32LittleEndian(result, TdxEventTypes.DstackRuntimeEvent);
        result[4] = (byte)':';
        nameBytes.CopyTo(result, 5);
        result[5 + nameBytes.Length] = (byte)':';
        payload.CopyTo(result.AsSpan(6 + nameBytes.Length));
        return result;
    }

    /// <summary>Builds the V2 preimage: the RFC 8785 form of <c>{"name":…,"payload":"&lt;hex&gt;","type":134217729}</c>, as UTF-8.</summary>
    public static byte[] V2Preimage(string name, ReadOnlySpan<byte> payload)
    {
        ArgumentNullException.ThrowIfNull(name);
        var builder = new StringBuilder(name.Length + (payload.Length * 2) + 48);
        builder.Append("{\"name\":");
        CanonicalJson.AppendString(builder, name);
        builder.Append(",\"payload\":\"").Append(Convert.ToHexStringLower(payload)).Append("\",\"type\":");
        builder.Append(TdxEventTypes.DstackRuntimeEvent.ToString(CultureInfo.InvariantCulture)).Append('}');
        return CanonicalJson.Utf8(builder.ToString());
    }

    /// <summary>The preimage for <paramref name="version"/> (1 or 2).</summary>
    public static byte[] Preimage(string name, ReadOnlySpan<byte> payload, int version) => version switch
    {
        1 => V1Preimage(name, payload),
        2 => V2Preimage(name, payload),
        _ => throw new EventLogFormatException($"unsupported runtime event version {version} (expected 1 or 2)"),
    };

    /// <summary>SHA-384 of the preimage for <paramref name="version"/>.</summary>
    public static byte[] Compute(string name, ReadOnlySpan<byte> payload, int version)
        => SHA384.HashData(Preimage(name, payload, version));
}
