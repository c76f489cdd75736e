using System.Text.Json;

namespace Dstack.Attestation.OsImage;

/// <summary>
/// The <c>vm_config</c> fields OS-image verification reads (spec os-image-verification §1.1); every other key is
/// ignored. Parse with <see cref="Parse"/>.
/// </summary>
public sealed record OsImageVmConfig
{
    /// <summary>The value of <c>tdx_attestation_variant</c> that selects the lite path.</summary>
    public const string LiteVariant = "lite";

    /// <summary>The default <c>tdx_attestation_variant</c> (also used when the key is absent).</summary>
    public const string LegacyVariant = "legacy";

    private const string ErrorPrefix = "Failed to decode VM config: Failed to parse vm config: ";
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 32 };

    /// <summary><c>os_image_hash</c> (32 bytes expected; empty when the key is absent).</summary>
    public required byte[] OsImageHash { get; init; }

    /// <summary><c>tdx_attestation_variant</c>: <see cref="LiteVariant"/> or <see cref="LegacyVariant"/>.</summary>
    public string Variant { get; init; } = LegacyVariant;

    /// <summary>True when <see cref="Variant"/> is <see cref="LiteVariant"/>.</summary>
    public bool IsLite => Variant == LiteVariant;

    /// <summary><c>tdx_measurement</c> (checksum file and CBOR document), or null when absent.</summary>
    public OsImageMaterial? TdxMeasurement { get; init; }

    /// <summary><c>memory_size</c> in bytes.</summary>
    public required ulong MemorySize { get; init; }

    /// <summary><c>qemu_version</c> (<c>X.Y.Z</c>), or null when absent (which means 9.1.0 for the MRTD order).</summary>
    public string? QemuVersion { get; init; }

    /// <summary><c>qemu_single_pass_add_pages</c>, or null when absent (see §3.3 for the quirk of its meaning).</summary>
    public bool? QemuSinglePassAddPages { get; init; }

    /// <summary><c>ovmf_variant</c>, or null when absent.</summary>
    public string? OvmfVariant { get; init; }

    /// <summary>
    /// Parses a <c>vm_config</c> JSON. A root that is a JSON string, or an object whose <c>vm_config</c> field is a
    /// string (the old sys-config shape), is replaced by that inner document.
    /// </summary>
    /// <exception cref="OsImageException">
    /// The JSON is malformed or a field has the wrong type; the message starts with
    /// <c>Failed to decode VM config: Failed to parse vm config: </c>.
    /// </exception>
    public static OsImageVmConfig Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            return ParseCore(json, depth: 0);
        }
        catch (JsonException ex)
        {
            throw new OsImageException(ErrorPrefix + ex.Message, ex);
        }
    }

    private static OsImageVmConfig ParseCore(string json, int depth)
    {
        using var document = JsonDocument.Parse(json, DocumentOptions);
        var root = document.RootElement;
        if (depth == 0 && root.ValueKind == JsonValueKind.String)
        {
            return ParseCore(root.GetString()!, depth + 1);
        }

        if (root.ValueKind != JsonValueKind.Object)
        {
            throw Error($"expected a JSON object, found {root.ValueKind}");
        }

        if (depth == 0 && root.TryGetProperty("vm_config", out var inner) && inner.ValueKind == JsonValueKind.String)
        {
            return ParseCore(inner.GetString()!, depth + 1);
        }

        byte[] osImageHash = [];
        string variant = LegacyVariant;
        OsImageMaterial? measurement = null;
        ulong? memorySize = null;
        string? qemuVersion = null;
        bool? singlePass = null;
        string? ovmfVariant = null;
        foreach (var property in root.EnumerateObject())
        {
            var value = property.Value;
            switch (property.Name)
            {
                case "os_image_hash":
                    osImageHash = Hex(value, "os_image_hash");
                    break;
                case "tdx_attestation_variant":
                    variant = OptionalString(value, "tdx_attestation_variant") ?? LegacyVariant;
                    if (variant is not (LiteVariant or LegacyVariant))
                    {
                        throw Error($"unknown variant `{variant}` for tdx_attestation_variant, expected `legacy` or `lite`");
                    }

                    break;
                case "tdx_measurement":
                    measurement = value.ValueKind == JsonValueKind.Null ? null : Measurement(value);
                    break;
                case "memory_size":
                    if (value.ValueKind != JsonValueKind.Number || !value.TryGetUInt64(out var size))
                    {
                        throw Error($"memory_size must be an unsigned 64-bit integer, found {Describe(value)}");
                    }

                    memorySize = size;
                    break;
                case "qemu_version":
                    qemuVersion = OptionalString(value, "qemu_version");
                    break;
                case "qemu_single_pass_add_pages":
                    singlePass = value.ValueKind switch
                    {
                        JsonValueKind.True => true,
                        JsonValueKind.False => false,
                        JsonValueKind.Null => null,
                        _ => throw Error($"qemu_single_pass_add_pages must be a boolean, found {Describe(value)}"),
                    };
                    break;
                case "ovmf_variant":
                    ovmfVariant = OptionalString(value, "ovmf_variant");
                    break;
                default:
                    break;
            }
        }

        return new OsImageVmConfig
        {
            OsImageHash = osImageHash,
            Variant = variant,
            TdxMeasurement = measurement,
            MemorySize = memorySize ?? throw Error("missing field `memory_size`"),
            QemuVersion = qemuVersion,
            QemuSinglePassAddPages = singlePass,
            OvmfVariant = ovmfVariant,
        };
    }

    private static OsImageMaterial Measurement(JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw Error($"tdx_measurement must be an object, found {Describe(value)}");
        }

        byte[]? checksum = null;
        byte[]? cbor = null;
        foreach (var property in value.EnumerateObject())
        {
            if (property.Name == "checksum_file")
            {
                checksum = Base64(property.Value, "tdx_measurement.checksum_file");
            }
            else if (property.Name == "measurement")
            {
                cbor = Base64(property.Value, "tdx_measurement.measurement");
            }
        }

        return new OsImageMaterial(
            checksum ?? throw Error("missing field `checksum_file` in tdx_measurement"),
            cbor ?? throw Error("missing field `measurement` in tdx_measurement"));
    }

    private static byte[] Base64(JsonElement value, string field)
    {
        if (value.ValueKind != JsonValueKind.String)
        {
            throw Error($"{field} must be a base64 string, found {Describe(value)}");
        }

        var text = value.GetString()!;
        var buffer = new byte[(text.Length / 4 * 3) + 3];
        if (text.Length % 4 != 0 || text.AsSpan().ContainsAny(" \t\r\n") || !Convert.TryFromBase64String(text, buffer, out var written))
        {
            throw Error($"{field} is not valid standard padded base64");
        }

        return buffer.AsSpan(0, written).ToArray();
    }

    private static byte[] Hex(JsonElement value, string field)
    {
        if (value.ValueKind != JsonValueKind.String)
        {
            throw Error($"{field} must be a hex string, found {Describe(value)}");
        }

        try
        {
            return Convert.FromHexString(value.GetString()!);
        }
        catch (FormatException)
        {
            throw Error($"{field} is not valid hex");
        }
    }

    private static string? OptionalString(JsonElement value, string field) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Null => null,
        _ => throw Error($"{field} must be a string, found {Describe(value)}"),
    };

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Number => $"number {value.GetRawText()}",
        _ => value.ValueKind.ToString().ToLowerInvariant(),
    };

    private static OsImageException Error(string detail) => new(ErrorPrefix + detail);
}
