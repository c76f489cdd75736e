using System.Formats.Asn1;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Dstack.Attestation.Dcap.Pccs;

/// <summary>
/// Fetches the collateral of a TDX quote from a PCCS or Intel's PCS (TDX v4 API, spec dcap-collateral §3.1): the PCK CRL
/// for the CA type, the TCB info for the FMSPC, the TD QE identity and the root CA CRL, with their issuer chains from the
/// response headers. The signed TCB info and QE identity are kept as the exact bytes of the response. Nothing is verified
/// here: <see cref="QuoteVerifier"/> checks every signature, chain, CRL and validity window.
/// </summary>
public sealed class PccsClient
{
    /// <summary>The largest response body accepted (real collateral items are a few KiB; a CRL with many entries tens of KiB).</summary>
    public const int MaxResponseBytes = 4 * 1024 * 1024;

    private readonly HttpClient _http;

    /// <summary>Creates a client of the PCCS or PCS at <paramref name="url"/> (its base URL or one ending in <c>/sgx|tdx/certification/v4</c>).</summary>
    /// <param name="http">The HTTP client (its timeout applies to each request).</param>
    /// <param name="url">An absolute http(s) URL.</param>
    /// <exception cref="ArgumentException"><paramref name="url"/> is not an absolute http(s) URL.</exception>
    public PccsClient(HttpClient http, string url)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(url);
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw new ArgumentException($"PCCS URL '{url}' is not an absolute http(s) URL", nameof(url));
        }

        _http = http;
        BaseUrl = PccsProtocol.NormalizeBaseUrl(url);
    }

    /// <summary>The base URL requests are made under.</summary>
    public string BaseUrl { get; }

    /// <summary>Fetches the four collateral items for <paramref name="key"/>.</summary>
    /// <exception cref="PccsException">A request failed or a response is not what the protocol says; the message says which.</exception>
    public async Task<DcapCollateral> FetchAsync(CollateralKey key, CancellationToken cancellationToken)
    {
        var (pckCrl, pckCrlHeaders) = await GetAsync(PccsProtocol.PckCrlPath(key.CaType), cancellationToken).ConfigureAwait(false);
        var pckCrlChain = Header(pckCrlHeaders, PccsProtocol.PckCrlIssuerChainHeader);

        var (tcbBody, tcbHeaders) = await GetAsync(PccsProtocol.TcbInfoPath(key.Fmspc), cancellationToken).ConfigureAwait(false);
        var tcbChain = TryHeader(tcbHeaders, PccsProtocol.TcbInfoIssuerChainHeader)
            ?? Header(tcbHeaders, PccsProtocol.TcbInfoIssuerChainHeaderV4);
        var (tcbInfo, tcbSignature) = SignedBody(tcbBody, "tcbInfo", "TCB Info");

        var (qeBody, qeHeaders) = await GetAsync(PccsProtocol.QeIdentityPath, cancellationToken).ConfigureAwait(false);
        var qeChain = Header(qeHeaders, PccsProtocol.QeIdentityIssuerChainHeader);
        var (qeIdentity, qeSignature) = SignedBody(qeBody, "enclaveIdentity", "QE Identity");

        var rootCrl = await GetRootCaCrlAsync(qeChain, cancellationToken).ConfigureAwait(false);
        return new DcapCollateral
        {
            PckCrlIssuerChain = pckCrlChain,
            RootCaCrl = rootCrl,
            PckCrl = pckCrl,
            TcbInfoIssuerChain = tcbChain,
            TcbInfo = tcbInfo,
            TcbInfoSignature = tcbSignature,
            QeIdentityIssuerChain = qeChain,
            QeIdentity = qeIdentity,
            QeIdentitySignature = qeSignature,
        };
    }

    private async Task<byte[]> GetRootCaCrlAsync(string qeIdentityChain, CancellationToken cancellationToken)
    {
        if (!PccsProtocol.IsIntelPcs(BaseUrl))
        {
            byte[]? text = null;
            try
            {
                (text, _) = await GetAsync(PccsProtocol.RootCaCrlPath, cancellationToken).ConfigureAwait(false);
            }
            catch (PccsException)
            {
                // a PCCS without the endpoint: fall back to the root's CRL distribution point below
            }

            if (text is not null)
            {
                try
                {
                    return Convert.FromHexString(Encoding.ASCII.GetString(text).Trim());
                }
                catch (FormatException e)
                {
                    throw new PccsException($"{BaseUrl}{PccsProtocol.RootCaCrlPath}: the root CA CRL must be hex text", e);
                }
            }
        }

        var distributionPoint = RootCrlDistributionPoint(qeIdentityChain);
        var (der, _) = await GetAbsoluteAsync(distributionPoint, cancellationToken).ConfigureAwait(false);
        return der;
    }

    private Task<(byte[] Body, HttpResponseHeaders Headers)> GetAsync(string path, CancellationToken cancellationToken) =>
        GetAbsoluteAsync(BaseUrl + path, cancellationToken);

    private async Task<(byte[] Body, HttpResponseHeaders Headers)> GetAbsoluteAsync(string url, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await _http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw new PccsException($"Failed to fetch {url}: HTTP {(int)response.StatusCode}");
            }

            if (response.Content.Headers.ContentLength > MaxResponseBytes)
            {
                throw new PccsException($"Failed to fetch {url}: the response is larger than {MaxResponseBytes} bytes");
            }

            var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                using var buffer = new MemoryStream();
                var chunk = new byte[16 * 1024];
                int read;
                while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    if (buffer.Length + read > MaxResponseBytes)
                    {
                        throw new PccsException($"Failed to fetch {url}: the response is larger than {MaxResponseBytes} bytes");
                    }

                    buffer.Write(chunk, 0, read);
                }

                return (buffer.ToArray(), response.Headers);
            }
        }
        catch (HttpRequestException e)
        {
            throw new PccsException($"Failed to fetch {url}: {e.Message}", e);
        }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new PccsException($"Failed to fetch {url}: timed out", e);
        }
    }

    private static string? TryHeader(HttpResponseHeaders headers, string name) =>
        headers.TryGetValues(name, out var values) ? Uri.UnescapeDataString(string.Concat(values)) : null;

    private static string Header(HttpResponseHeaders headers, string name) =>
        TryHeader(headers, name) ?? throw new PccsException("Missing " + name);

    /// <summary>Cuts the exact text of the signed object <paramref name="property"/> and the hex signature out of a PCS body.</summary>
    private static (string Text, byte[] Signature) SignedBody(byte[] body, string property, string what)
    {
        string? text = null;
        string? signature = null;
        try
        {
            var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 16 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                throw new PccsException(what + " should be valid JSON");
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.GetString();
                reader.Read();
                if (name == property && reader.TokenType == JsonTokenType.StartObject)
                {
                    var start = (int)reader.TokenStartIndex;
                    reader.Skip();
                    text = Encoding.UTF8.GetString(body, start, (int)reader.BytesConsumed - start);
                }
                else if (name == "signature" && reader.TokenType == JsonTokenType.String)
                {
                    signature = reader.GetString();
                }
                else
                {
                    reader.Skip();
                }
            }
        }
        catch (JsonException e)
        {
            throw new PccsException(what + " should be valid JSON", e);
        }

        if (text is null || signature is null)
        {
            throw new PccsException($"{what} should be valid JSON: expected the members '{property}' and 'signature'");
        }

        try
        {
            return (text, Convert.FromHexString(signature));
        }
        catch (FormatException e)
        {
            throw new PccsException(what + " signature must be valid hex", e);
        }
    }

    /// <summary>The first URI of the CRL distribution points of the last certificate of <paramref name="chainPem"/> (the root).</summary>
    private static string RootCrlDistributionPoint(string chainPem)
    {
        List<System.Security.Cryptography.X509Certificates.X509Certificate2> chain;
        try
        {
            chain = CertificateChain.ParsePem(chainPem, "QE identity issuer chain");
        }
        catch (FormatException e)
        {
            throw new PccsException(e.Message, e);
        }

        try
        {
            var extension = chain.Count == 0 ? null : chain[^1].Extensions["2.5.29.31"];
            return (extension is null ? null : FirstUri(extension.RawData))
                ?? throw new PccsException("the root CA certificate names no CRL distribution point and the PCCS serves no root CA CRL");
        }
        finally
        {
            chain.ForEach(c => c.Dispose());
        }
    }

    private static string? FirstUri(byte[] extensionValue)
    {
        try
        {
            // CRLDistributionPoints ::= SEQUENCE OF DistributionPoint { distributionPoint [0] { fullName [0] GeneralNames } }
            var points = new AsnReader(extensionValue, AsnEncodingRules.DER).ReadSequence();
            while (points.HasData)
            {
                var point = points.ReadSequence();
                if (!point.HasData || !point.PeekTag().HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 0)))
                {
                    continue;
                }

                var name = point.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true));
                if (!name.HasData || !name.PeekTag().HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 0)))
                {
                    continue;
                }

                var fullName = name.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true));
                while (fullName.HasData)
                {
                    var tag = fullName.PeekTag();
                    if (tag.HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 6)))
                    {
                        return fullName.ReadCharacterString(UniversalTagNumber.IA5String, new Asn1Tag(TagClass.ContextSpecific, 6));
                    }

                    fullName.ReadEncodedValue();
                }
            }
        }
        catch (AsnContentException)
        {
            return null;
        }

        return null;
    }
}
