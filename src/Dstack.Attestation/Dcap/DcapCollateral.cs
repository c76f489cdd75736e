using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Dstack.Attestation.Dcap;

/// <summary>
/// One DCAP collateral set for a TDX quote, in the shape of dcap-qvl's <c>QuoteCollateralV3</c> JSON (spec dcap-collateral §1):
/// the two CRLs, TCB info and QE identity as the exact signed text with raw <c>r‖s</c> signatures, and their issuer chains.
/// Load it with <see cref="FromJson(string)"/>, write it with <see cref="ToJson"/>.
/// </summary>
public sealed class DcapCollateral
{
    /// <summary>PEM chain of the PCK CA that issued <see cref="PckCrl"/> (PCK CA, root). Carried, not used by verification.</summary>
    public required string PckCrlIssuerChain { get; init; }

    /// <summary>DER CRL issued by the root CA (revokes intermediate CAs).</summary>
    public required ReadOnlyMemory<byte> RootCaCrl { get; init; }

    /// <summary>DER CRL issued by the PCK CA (revokes PCK leaf certificates).</summary>
    public required ReadOnlyMemory<byte> PckCrl { get; init; }

    /// <summary>PEM chain of the TCB signing certificate (signer first, root last).</summary>
    public required string TcbInfoIssuerChain { get; init; }

    /// <summary>The exact text of the <c>tcbInfo</c> object; its UTF-8 bytes are what is signed.</summary>
    public required string TcbInfo { get; init; }

    /// <summary>Raw ECDSA P-256 signature <c>r‖s</c> (64 bytes) over <see cref="TcbInfo"/>.</summary>
    public required ReadOnlyMemory<byte> TcbInfoSignature { get; init; }

    /// <summary>PEM chain of the QE identity signer (TCB signing certificate, root).</summary>
    public required string QeIdentityIssuerChain { get; init; }

    /// <summary>The exact text of the <c>enclaveIdentity</c> object; its UTF-8 bytes are what is signed.</summary>
    public required string QeIdentity { get; init; }

    /// <summary>Raw ECDSA P-256 signature <c>r‖s</c> (64 bytes) over <see cref="QeIdentity"/>.</summary>
    public required ReadOnlyMemory<byte> QeIdentitySignature { get; init; }

    /// <summary>PEM PCK chain (leaf first) to use instead of the one embedded in the quote; <see langword="null"/> to use the quote's.</summary>
    public string? PckCertificateChain { get; init; }

    /// <summary>Reads the <c>QuoteCollateralV3</c> JSON object.</summary>
    /// <exception cref="FormatException">Not that shape; the message names the key.</exception>
    public static DcapCollateral FromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        using var document = CollateralJson.ParseDocument(json, "collateral");
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException("collateral: expected a JSON object");
        }

        const string path = "collateral";
        string? pckChain = null;
        if (root.TryGetProperty("pck_certificate_chain", out var chain) && chain.ValueKind != JsonValueKind.Null)
        {
            pckChain = Pem(root, "pck_certificate_chain");
        }

        return new DcapCollateral
        {
            PckCrlIssuerChain = Pem(root, "pck_crl_issuer_chain"),
            RootCaCrl = CollateralJson.Hex(root, "root_ca_crl", path),
            PckCrl = CollateralJson.Hex(root, "pck_crl", path),
            TcbInfoIssuerChain = Pem(root, "tcb_info_issuer_chain"),
            TcbInfo = CollateralJson.String(root, "tcb_info", path),
            TcbInfoSignature = CollateralJson.Hex(root, "tcb_info_signature", path, 64),
            QeIdentityIssuerChain = Pem(root, "qe_identity_issuer_chain"),
            QeIdentity = CollateralJson.String(root, "qe_identity", path),
            QeIdentitySignature = CollateralJson.Hex(root, "qe_identity_signature", path, 64),
            PckCertificateChain = pckChain,
        };
    }

    /// <summary>Reads the <c>QuoteCollateralV3</c> JSON from UTF-8 bytes.</summary>
    /// <exception cref="FormatException">Not UTF-8 or not that shape.</exception>
    public static DcapCollateral FromJson(ReadOnlySpan<byte> utf8Json)
    {
        try
        {
            return FromJson(new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(utf8Json));
        }
        catch (DecoderFallbackException e)
        {
            throw new FormatException("collateral: not UTF-8", e);
        }
    }

    /// <summary>Writes the <c>QuoteCollateralV3</c> JSON object (hex lowercase; <c>pck_certificate_chain</c> only when set).</summary>
    public string ToJson()
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            writer.WriteString("pck_crl_issuer_chain", PckCrlIssuerChain);
            writer.WriteString("root_ca_crl", Convert.ToHexStringLower(RootCaCrl.Span));
            writer.WriteString("pck_crl", Convert.ToHexStringLower(PckCrl.Span));
            writer.WriteString("tcb_info_issuer_chain", TcbInfoIssuerChain);
            writer.WriteString("tcb_info", TcbInfo);
            writer.WriteString("tcb_info_signature", Convert.ToHexStringLower(TcbInfoSignature.Span));
            writer.WriteString("qe_identity_issuer_chain", QeIdentityIssuerChain);
            writer.WriteString("qe_identity", QeIdentity);
            writer.WriteString("qe_identity_signature", Convert.ToHexStringLower(QeIdentitySignature.Span));
            if (PckCertificateChain is not null)
            {
                writer.WriteString("pck_certificate_chain", PckCertificateChain);
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static string Pem(JsonElement root, string name)
    {
        var text = CollateralJson.String(root, name, "collateral");
        return text.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal)
            ? text
            : throw new FormatException($"collateral.{name}: expected PEM certificates");
    }
}
