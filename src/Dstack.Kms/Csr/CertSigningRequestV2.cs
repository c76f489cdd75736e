using System.Security.Cryptography;

namespace Dstack.Kms.Csr;

/// <summary>
/// <c>CertSigningRequestV2</c> (kms.md §1.5), SCALE: <c>confirm</c>, <c>pubkey</c> (SPKI DER), <c>config</c>, then the
/// raw <c>VersionedAttestation</c> bytes with no length prefix up to the end. Signed with ECDSA P-256/SHA-256 (ASN.1 DER
/// signature) over the whole encoding by the key in <c>pubkey</c>.
/// </summary>
internal sealed record CertSigningRequestV2
{
    /// <summary>The required confirm string.</summary>
    public const string ConfirmText = "please sign cert:";

    /// <summary>Largest CSR accepted.</summary>
    public const int MaxSize = 10 << 20;

    /// <summary>Must equal <see cref="ConfirmText"/> (checked after the signature).</summary>
    public string Confirm { get; init; } = ConfirmText;

    /// <summary>SubjectPublicKeyInfo DER of the key to certify.</summary>
    public required byte[] PublicKey { get; init; }

    /// <summary>The requested certificate.</summary>
    public required CertConfigV2 Config { get; init; }

    /// <summary>Raw <c>VersionedAttestation</c> bytes.</summary>
    public required byte[] Attestation { get; init; }

    /// <summary>Decodes a CSR; the attestation takes the rest of the input.</summary>
    /// <exception cref="FormatException">Truncated or malformed.</exception>
    public static CertSigningRequestV2 Decode(ReadOnlySpan<byte> data)
    {
        if (data.Length > MaxSize)
        {
            throw new FormatException($"CSR of {data.Length} bytes exceeds {MaxSize}");
        }

        var reader = new ScaleDecoder(data);
        var confirm = reader.ReadString("confirm");
        var publicKey = reader.ReadBytes("pubkey");
        var config = new CertConfigV2
        {
            OrgName = reader.ReadOptionalString("config.org_name"),
            Subject = reader.ReadString("config.subject"),
            SubjectAltNames = reader.ReadStringList("config.subject_alt_names"),
            UsageServerAuth = reader.ReadBool("config.usage_server_auth"),
            UsageClientAuth = reader.ReadBool("config.usage_client_auth"),
            ExtQuote = reader.ReadBool("config.ext_quote"),
            ExtAppInfo = reader.ReadBool("config.ext_app_info"),
            NotBefore = reader.ReadOptionalUInt64("config.not_before"),
            NotAfter = reader.ReadOptionalUInt64("config.not_after"),
        };
        return new CertSigningRequestV2 { Confirm = confirm, PublicKey = publicKey, Config = config, Attestation = reader.Rest.ToArray() };
    }

    /// <summary>The SCALE encoding.</summary>
    public byte[] Encode()
    {
        var writer = new ScaleEncoder();
        writer.WriteString(Confirm);
        writer.WriteBytes(PublicKey);
        writer.WriteOptionalString(Config.OrgName);
        writer.WriteString(Config.Subject);
        writer.WriteStringList(Config.SubjectAltNames);
        writer.WriteBool(Config.UsageServerAuth);
        writer.WriteBool(Config.UsageClientAuth);
        writer.WriteBool(Config.ExtQuote);
        writer.WriteBool(Config.ExtAppInfo);
        writer.WriteOptionalUInt64(Config.NotBefore);
        writer.WriteOptionalUInt64(Config.NotAfter);
        writer.WriteRaw(Attestation);
        return writer.ToArray();
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
}
