using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Dstack.Attestation.Quotes;

namespace Dstack.Attestation.Dcap;

/// <summary>
/// Verifies TDX DCAP quotes (spec tdx-boot §2.4): the PCK chain up to the configured <see cref="TrustRoot"/>, the QE report
/// signature and its binding to the attestation key, the quote signature, dstack's TD policy (no DEBUG, Intel-signed
/// TDX module, no service TD) and, when collateral is given, everything dcap-qvl checks with it: signatures and issuer chains
/// of the collateral, CRLs, validity windows and the TCB status (spec dcap-collateral §4).
/// </summary>
public sealed class QuoteVerifier
{
    private readonly TimeProvider _timeProvider;
    private readonly QuoteVerificationOptions _options;

    /// <summary>Creates a verifier that trusts <paramref name="trustRoot"/> (use <see cref="TrustRoot.IntelSgxRootCa"/> in production).</summary>
    public QuoteVerifier(TrustRoot trustRoot, TimeProvider? timeProvider = null, QuoteVerificationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(trustRoot);
        TrustRoot = trustRoot;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _options = options ?? new QuoteVerificationOptions();
    }

    /// <summary>The trust anchor of this verifier.</summary>
    public TrustRoot TrustRoot { get; }

    /// <summary>Parses and verifies a raw quote; a malformed quote gives a failed result, not an exception.</summary>
    public QuoteVerificationResult Verify(ReadOnlySpan<byte> quote, DcapCollateral? collateral = null)
    {
        if (!TdxQuote.TryParse(quote, out var parsed, out var error))
        {
            return new QuoteVerificationResult(["malformed quote: " + error.Message], null, TcbStatuses.Unknown, [], null, TrustRoot, _timeProvider.GetUtcNow(), null);
        }

        return Verify(parsed, collateral);
    }

    /// <summary>
    /// Verifies a parsed quote. Without collateral the quote's own signatures and chain are checked (every problem reported)
    /// and the TCB status is <c>Unknown</c>; with collateral the checks of dcap-qvl run in its order and the first failure is
    /// the one reason (spec dcap-collateral §4), then dstack's own TD policy (tdx-boot §2.4 step 8).
    /// </summary>
    public QuoteVerificationResult Verify(TdxQuote quote, DcapCollateral? collateral = null)
    {
        ArgumentNullException.ThrowIfNull(quote);
        var now = _timeProvider.GetUtcNow();
        return collateral is null ? VerifyWithoutCollateral(quote, now) : VerifyWithCollateral(quote, collateral, now);
    }

    private QuoteVerificationResult VerifyWithCollateral(TdxQuote quote, DcapCollateral collateral, DateTimeOffset now)
    {
        var failures = new List<string>();
        TcbEvaluation? tcb = null;
        var status = TcbStatuses.Unknown;
        IReadOnlyList<string> advisories = [];
        try
        {
            tcb = CollateralEvaluator.Evaluate(quote, collateral, TrustRoot, now, _options.RejectDebugTd);
            status = tcb.Status;
            advisories = tcb.AdvisoryIds;
            if (quote.Signature.QeReport.ReportData.Span[32..].ContainsAnyExcept((byte)0))
            {
                failures.Add("QE report data: upper 32 bytes are not zero");
            }

            CheckTdPolicy(quote, failures);
        }
        catch (DcapVerificationException e)
        {
            failures.Add(e.Message);
            status = e.TcbStatus ?? TcbStatuses.Unknown;
            advisories = e.AdvisoryIds;
        }

        return new QuoteVerificationResult(failures, quote, status, advisories, ReadPckExtension(collateral.PckCertificateChain ?? quote.Signature.PckCertChainPem), TrustRoot, now, tcb);
    }

    private QuoteVerificationResult VerifyWithoutCollateral(TdxQuote quote, DateTimeOffset now)
    {
        var failures = new List<string>();
        PckExtension? pck = null;
        List<X509Certificate2> chain = [];
        try
        {
            try
            {
                chain = CertificateChain.ParsePem(quote.Signature.PckCertChainPem, "PCK chain");
            }
            catch (FormatException e)
            {
                failures.Add(e.Message);
            }

            if (chain.Count < 2)
            {
                failures.Add($"PCK chain: expected at least 2 certificates, found {chain.Count}");
            }
            else
            {
                CertificateChain.Validate(chain, TrustRoot, now, "PCK chain", failures);
                CheckQeReportSignature(quote, chain[0], failures);
                pck = ReadPckExtension(chain[0], failures);
            }

            CheckQeReportBinding(quote, failures);
            CheckQuoteSignature(quote, failures);
            CheckTdPolicy(quote, failures);
            if (_options.RequireCollateral)
            {
                failures.Add("collateral is required by policy but none was given");
            }
        }
        finally
        {
            foreach (var certificate in chain)
            {
                certificate.Dispose();
            }
        }

        return new QuoteVerificationResult(failures, quote, TcbStatuses.Unknown, [], pck, TrustRoot, now, null);
    }

    /// <summary>The PCK extension of the first certificate of <paramref name="pem"/> for the result, when it can be read.</summary>
    private static PckExtension? ReadPckExtension(string pem)
    {
        try
        {
            var chain = CertificateChain.ParsePem(pem, "PCK chain");
            try
            {
                return chain.Count == 0 ? null : ReadPckExtension(chain[0], []);
            }
            finally
            {
                chain.ForEach(c => c.Dispose());
            }
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static void CheckQeReportSignature(TdxQuote quote, X509Certificate2 leaf, List<string> failures)
    {
        if (!QuoteSignatures.QeReportVerifies(quote, leaf))
        {
            failures.Add("QE report signature does not verify with the PCK certificate key");
        }
    }

    private static void CheckQeReportBinding(TdxQuote quote, List<string> failures)
    {
        var signature = quote.Signature;
        var length = 64 + signature.QeAuthData.Length;
        Span<byte> material = length <= 256 ? stackalloc byte[length] : new byte[length];
        signature.AttestationKey.Span.CopyTo(material);
        signature.QeAuthData.Span.CopyTo(material[64..]);
        var expected = SHA256.HashData(material);
        var reportData = signature.QeReport.ReportData.Span;
        if (!reportData[..32].SequenceEqual(expected))
        {
            failures.Add("QE report data does not bind the attestation key: REPORTDATA[0..32] != SHA-256(attestation key ‖ QE auth data)");
        }

        if (reportData[32..].ContainsAnyExcept((byte)0))
        {
            failures.Add("QE report data: upper 32 bytes are not zero");
        }
    }

    private static void CheckQuoteSignature(TdxQuote quote, List<string> failures)
    {
        if (!QuoteSignatures.QuoteVerifies(quote))
        {
            failures.Add("quote signature does not verify with the attestation key");
        }
    }

    private static PckExtension? ReadPckExtension(X509Certificate2 leaf, List<string> failures)
    {
        var extension = leaf.Extensions[PckExtension.Oid];
        if (extension is null)
        {
            failures.Add("PCK certificate has no SGX extension (1.2.840.113741.1.13.1)");
            return null;
        }

        try
        {
            return PckExtension.Parse(extension.RawData);
        }
        catch (FormatException e)
        {
            failures.Add(e.Message);
            return null;
        }
    }

    private void CheckTdPolicy(TdxQuote quote, List<string> failures)
    {
        var body = quote.Body;
        if (body.IsDebug && _options.RejectDebugTd)
        {
            failures.Add("TD is in DEBUG mode (TDATTRIBUTES bit 0 set)");
        }

        if (body.MrSignerSeam.Span.ContainsAnyExcept((byte)0))
        {
            failures.Add("MRSIGNERSEAM is not zero: the TDX module is not signed by Intel");
        }

        if (body.IsTd15 && body.MrServiceTd.Span.ContainsAnyExcept((byte)0))
        {
            failures.Add("MRSERVICETD is not zero: a service TD is bound to this TD");
        }
    }
}
