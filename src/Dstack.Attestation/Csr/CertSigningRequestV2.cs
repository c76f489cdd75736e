using System.Security.Cryptography;
using Dstack.Attestation.Formats;

namespace Dstack.Attestation.Csr;

/// <summary>
/// <c>CertSigningRequestV2</c> (kms.md §1.5), SCALE: <c>confirm</c>, <c>pubkey</c> (SPKI DER), <c>config</c>, then the
/// raw <c>VersionedAttestation</c> bytes with no length prefix up to the end. Signed with ECDSA P-256/SHA-256 (ASN.1 DER
/// signature) over the whole encoding by the key in <c>pubkey</c>. The agent encodes and signs it; the KMS decodes and verifies it.
/// </summary>
public sealed record CertSigningRequestV2
{
    /// <summary>The required confirm string.</summary>
    public const string ConfirmText = "please sign cert:";

    /// <summary>Largest CSR accepted.</summary>
    public const int MaxSize = 10 << 20;

    /// <summary>Most subject alternative names accepted (a decode never sizes a list by more).</summary>
    public const int MaxSubjectAltNames = 1024;

    /// <summary>Must equal <see cref="ConfirmText"/> (checked after the signature).</summary>
    public string Confirm { get; init; } = ConfirmText;

    /// <summary>SubjectPublicKeyInfo DER of the key to certify.</summary>
    public required byte[] PublicKey { get; init; }

    /// <summary>The requested certificate.</summary>
    public required CertConfigV2 Config { get; init; }

    /// <summary>Raw <c>VersionedAttestation</c> bytes.</summary>
    public required byte[] Attestation { get; init; }

    /// <summary>Decodes a CSR; the attestation takes the rest of the input.</summary>
    /// <exception cref="FormatException">Truncated or malformed (an <see cref="AttestationFormatException"/>).</exception>
    public static CertSigningRequestV2 Decode(ReadOnlyMemory<byte> data)
    {
        if (data.Length > MaxSize)
        {
            throw new AttestationFormatException($"CSR of {data.Length} bytes exceeds {MaxSize}");
        }

        var reader = new ScaleReader(data);
        var confirm = reader.ReadString("confirm");
        var publicKey = reader.ReadBytes("pubkey");
        var config = new CertConfigV2
        {
            OrgName = reader.ReadBool("config.org_name") ? reader.ReadString("config.org_name") : null,
            Subject = reader.ReadString("config.subject"),
            SubjectAltNames = ReadStringList(reader, "config.subject_alt_names"),
            UsageServerAuth = reader.ReadBool("config.usage_server_auth"),
            UsageClientAuth = reader.ReadBool("config.usage_client_auth"),
            ExtQuote = reader.ReadBool("config.ext_quote"),
            ExtAppInfo = reader.ReadBool("config.ext_app_info"),
            NotBefore = reader.ReadBool("config.not_before") ? reader.ReadUInt64("config.not_before") : null,
            NotAfter = reader.ReadBool("config.not_after") ? reader.ReadUInt64("config.not_after") : null,
        };
        return new CertSigningRequestV2 { Confirm = confirm, PublicKey = publicKey, Config = config, Attestation = reader.ReadRest("attestation") };
    }

    /// <summary>The SCALE encoding (what the requester signs).</summary>
    public byte[] Encode()
    {
        var writer = new ScaleWriter();
        writer.WriteString(Confirm);
        writer.WriteBytes(PublicKey);
        writer.WriteBool(Config.OrgName is not null);
        if (Config.OrgName is not null)
        {
            writer.WriteString(Config.OrgName);
        }

        writer.WriteString(Config.Subject);
        writer.WriteCompact(Config.SubjectAltNames.Count);
        foreach (var name in Config.SubjectAltNames)
        {
            writer.WriteString(name);
        }

        writer.WriteBool(Config.UsageServerAuth);
        writer.WriteBool(Config.UsageClientAuth);
        writer.WriteBool(Config.ExtQuote);
        writer.WriteBool(Config.ExtAppInfo);
        WriteOptionalUInt64(writer, Config.NotBefore);
        WriteOptionalUInt64(writer, Config.NotAfter);
        writer.WriteRaw(Attestation);
        return writer.ToArray();
    }

    /// <summary>Encodes the CSR and signs the encoding with <paramref name="key"/> (the key <see cref="PublicKey"/> holds).</summary>
    /// <returns>The encoding and its DER ECDSA P-256/SHA-256 signature.</returns>
    public (byte[] Encoded, byte[] Signature) EncodeAndSign(ECDsa key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var encoded = Encode();
        return (encoded, key.SignData(encoded, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
    }

    /// <summary>Checks a DER ECDSA P-256/SHA-256 signature over <paramref name="encoded"/> with the CSR's own key.</summary>
    public bool VerifySignature(ReadOnlySpan<byte> encoded, ReadOnlySpan<byte> signature)
    {
        try
        {
            using var key = ECDsa.Create();
            key.ImportSubjectPublicKeyInfo(PublicKey, out var read);
            return read == PublicKey.Length && key.KeySize == 256
                && key.VerifyData(encoded, signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    private static List<string> ReadStringList(ScaleReader reader, string field)
    {
        var count = reader.ReadCount(field, 1, MaxSubjectAltNames);
        var list = new List<string>(count);
        for (var i = 0; i < count; i++)
        {
            list.Add(reader.ReadString(new ScaleField(field, i)));
        }

        return list;
    }

    private static void WriteOptionalUInt64(ScaleWriter writer, ulong? value)
    {
        writer.WriteBool(value.HasValue);
        if (value is { } v)
        {
            writer.WriteUInt64(v);
        }
    }
}
