using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Dstack.Attestation.Quotes;

namespace Dstack.Attestation.Dcap;

/// <summary>
/// Verifies a TDX quote against DCAP collateral and computes its TCB status exactly as dcap-qvl's <c>verify</c>
/// (spec dcap-collateral §2, §4, §5): the checks run in its order, the first failure aborts with its message.
/// </summary>
internal static class CollateralEvaluator
{
    private const int ComponentCount = 16;

    /// <summary>Runs every step of spec §4 at <paramref name="now"/>.</summary>
    /// <param name="quote">The parsed quote.</param>
    /// <param name="collateral">The collateral to verify it with.</param>
    /// <param name="root">The pinned root every chain must lead to.</param>
    /// <param name="now">The verification time.</param>
    /// <param name="rejectDebug">Whether step 11 refuses the TD DEBUG attribute (dcap-qvl <c>allow_debug = false</c>).</param>
    /// <exception cref="DcapVerificationException">The first check that failed.</exception>
    public static TcbEvaluation Evaluate(TdxQuote quote, DcapCollateral collateral, TrustRoot root, DateTimeOffset now, bool rejectDebug)
    {
        ArgumentNullException.ThrowIfNull(quote);
        ArgumentNullException.ThrowIfNull(collateral);
        ArgumentNullException.ThrowIfNull(root);
        var certificates = new List<X509Certificate2>();
        try
        {
            return Run(quote, collateral, root, now, rejectDebug, certificates);
        }
        finally
        {
            foreach (var certificate in certificates)
            {
                certificate.Dispose();
            }
        }
    }

    private static TcbEvaluation Run(TdxQuote quote, DcapCollateral collateral, TrustRoot root, DateTimeOffset now, bool rejectDebug, List<X509Certificate2> owned)
    {
        // 1. the root against the CRLs
        RevocationList rootCrl, pckCrl;
        try
        {
            rootCrl = RevocationList.Parse(collateral.RootCaCrl, "root CA CRL");
            pckCrl = RevocationList.Parse(collateral.PckCrl, "PCK CRL");
        }
        catch (FormatException e)
        {
            throw Fail("Failed to parse CRL: " + e.Message);
        }

        RevocationList[] crls = [rootCrl, pckCrl];
        if (CrlCheckedChain.CheckAnchor(root, now, crls) is { } anchorProblem)
        {
            throw Fail("Failed to check the root CA against the CRL: " + anchorProblem);
        }

        // 2. header
        CheckHeader(quote.Header);

        // 3. TCB info
        var tcbItem = new SignedItem("TcbInfo", "TCBInfo", "TCB Info", "tcb_info", collateral.TcbInfo, collateral.TcbInfoSignature, collateral.TcbInfoIssuerChain);
        var tcbInfo = Decode(tcbItem, TcbInfo.Parse);
        var tcbChain = CheckSigned(tcbItem, tcbInfo.IssueDate, tcbInfo.NextUpdate, root, now, crls, owned);
        var levels = tcbInfo.Levels.ToList();
        levels.Sort(TcbLevel.CompareDescending);

        // 4. QE identity
        var qeItem = new SignedItem("QeIdentity", "QE Identity", "QE Identity", "qe_identity", collateral.QeIdentity, collateral.QeIdentitySignature, collateral.QeIdentityIssuerChain);
        var qeIdentity = Decode(qeItem, QeIdentity.Parse);
        var qeChain = CheckSigned(qeItem, qeIdentity.IssueDate, qeIdentity.NextUpdate, root, now, crls, owned);
        if (qeIdentity.Id != "TD_QE" || qeIdentity.Version is not (2 or 3))
        {
            throw Fail($"Unsupported QE Identity id/version for the quote TEE type: id {qeIdentity.Id}, version {qeIdentity.Version}");
        }

        // 5. PCK chain and its Intel extension
        List<X509Certificate2> pckChain;
        try
        {
            pckChain = CertificateChain.ParsePem(collateral.PckCertificateChain ?? quote.Signature.PckCertChainPem, "PCK chain");
        }
        catch (FormatException e)
        {
            throw Fail("Failed to extract PCK certificates: " + e.Message);
        }

        owned.AddRange(pckChain);
        if (pckChain.Count < 2)
        {
            throw Fail("Certificate chain is too short in quote");
        }

        VerifyChain(pckChain, root, now, crls);
        var leaf = pckChain[0];
        var pck = ReadPckExtension(leaf);

        // 6. QE report signature and binding
        var signature = quote.Signature;
        if (!QuoteSignatures.QeReportVerifies(quote, leaf))
        {
            throw Fail("Signature is invalid for qe_report in quote");
        }

        if (signature.QeAuthData.Length != 32)
        {
            throw Fail("Invalid QE auth data length");
        }

        var expectedHash = SHA256.HashData([.. signature.AttestationKey.Span, .. signature.QeAuthData.Span]);
        if (!signature.QeReport.ReportData.Span[..32].SequenceEqual(expectedHash))
        {
            throw Fail("QE report hash mismatch");
        }

        // 7. QE identity policy
        var qe = EvaluateQe(signature.QeReport, qeIdentity);

        // 8. quote signature
        if (!QuoteSignatures.QuoteVerifies(quote))
        {
            throw Fail("ISV enclave report signature is invalid");
        }

        // 9. platform TCB
        var fmspc = Convert.ToHexString(pck.Fmspc.Span);
        if (!string.Equals(Convert.ToHexString(tcbInfo.Fmspc), fmspc, StringComparison.Ordinal))
        {
            throw Fail("Fmspc mismatch");
        }

        if (tcbInfo.Version < 3 || tcbInfo.Id != "TDX")
        {
            throw Fail("TDX quote with non-TDX TCB info in the collateral");
        }

        var teeTcbSvn = quote.Body.TeeTcbSvn.Span;
        var (matched, levelIndex) = MatchLevel(levels, pck, teeTcbSvn);
        var (module, moduleId) = EvaluateModule(quote.Body, tcbInfo);
        var platform = new TcbVerdict(matched.Status, matched.AdvisoryIds);
        if (module is not null)
        {
            platform = platform.Merge(module);
        }

        // 10. merge
        var final = platform.Merge(qe);
        if (final.Status == TcbStatuses.Revoked)
        {
            throw new DcapVerificationException("TCB status is invalid: Revoked") { TcbStatus = final.Status, AdvisoryIds = final.AdvisoryIds };
        }

        // 11. TD attributes
        CheckTdAttributes(quote.Body, rejectDebug);

        var allCertificates = tcbChain.Concat(qeChain).Concat(pckChain).ToList();
        DateTimeOffset[] starts = [tcbInfo.IssueDate, qeIdentity.IssueDate, .. allCertificates.Select(c => new DateTimeOffset(c.NotBefore.ToUniversalTime()))];
        DateTimeOffset[] ends = [tcbInfo.NextUpdate, qeIdentity.NextUpdate, rootCrl.NextUpdate, pckCrl.NextUpdate, .. allCertificates.Select(c => new DateTimeOffset(c.NotAfter.ToUniversalTime()))];
        return new TcbEvaluation
        {
            Status = final.Status,
            AdvisoryIds = final.AdvisoryIds,
            PlatformStatus = platform.Status,
            PlatformAdvisoryIds = platform.AdvisoryIds,
            QeStatus = qe.Status,
            QeAdvisoryIds = qe.AdvisoryIds,
            Fmspc = fmspc,
            CaType = CaType(leaf),
            PceSvn = pck.PceSvn,
            CpuSvn = Convert.ToHexStringLower(pck.CpuSvn.Span),
            Ppid = Convert.ToHexStringLower(pck.Ppid.Span),
            MatchedTcbLevel = levelIndex,
            MatchedTcbDate = matched.TcbDate,
            TdxModuleIdentityId = moduleId,
            TcbEvaluationDataNumber = tcbInfo.TcbEvaluationDataNumber,
            QeIdentityEvaluationDataNumber = qeIdentity.TcbEvaluationDataNumber,
            ValidFrom = starts.Max(),
            ValidUntil = ends.Min(),
        };
    }

    /// <summary>The PCK CA type from the leaf's issuer name (spec §3.2).</summary>
    internal static string CaType(X509Certificate2 leaf) =>
        leaf.Issuer.Contains("Processor", StringComparison.Ordinal) ? "processor"
        : leaf.Issuer.Contains("Platform", StringComparison.Ordinal) ? "platform"
        : "processor";

    private static void CheckHeader(QuoteHeader header)
    {
        if (header.Version is not (3 or 4 or 5))
        {
            throw Fail("Unsupported DCAP quote version");
        }

        if (!header.QeVendorId.Span.SequenceEqual(QuoteHeader.IntelQeVendorId))
        {
            throw Fail("Unknown QE vendor ID");
        }

        if (header.TeeType is not (0 or QuoteHeader.TdxTeeType))
        {
            throw Fail(string.Create(CultureInfo.InvariantCulture, $"Unsupported TEE type: {header.TeeType}"));
        }

        if (header.TeeType == QuoteHeader.TdxTeeType && header.Version is not (4 or 5))
        {
            throw Fail("TDX TEE quote must have version 4 or 5");
        }

        if (header.AttestationKeyType != QuoteHeader.EcdsaP256KeyType)
        {
            throw Fail("Unsupported DCAP attestation key type");
        }
    }

    private static T Decode<T>(SignedItem item, Func<string, T> parse)
    {
        try
        {
            return parse(item.Text);
        }
        catch (FormatException e)
        {
            throw Fail($"Failed to decode {item.TypeName}: {e.Message}");
        }
    }

    /// <summary>Steps 3/4 after decoding: the window (inclusive), the issuer chain with CRLs, the raw signature over the exact text.</summary>
    private static List<X509Certificate2> CheckSigned(SignedItem item, DateTimeOffset issueDate, DateTimeOffset nextUpdate, TrustRoot root, DateTimeOffset now, RevocationList[] crls, List<X509Certificate2> owned)
    {
        if (now < issueDate)
        {
            throw Fail($"{item.DateName} issue date is in the future");
        }

        if (now > nextUpdate)
        {
            throw Fail($"{item.DateName} expired");
        }

        var chain = SignerChain(item.IssuerChain, item.ChainName, owned);
        VerifyChain(chain, root, now, crls);
        return VerifyRaw(chain[0], item.Text, item.Signature.Span)
            ? chain
            : throw Fail($"Signature is invalid for {item.Key} in quote_collateral");
    }

    private static List<X509Certificate2> SignerChain(string pem, string what, List<X509Certificate2> owned)
    {
        List<X509Certificate2> chain;
        try
        {
            chain = CertificateChain.ParsePem(pem, what + " issuer chain");
        }
        catch (FormatException e)
        {
            throw Fail($"Failed to parse the {what} issuer chain: {e.Message}");
        }

        owned.AddRange(chain);
        return chain.Count >= 2 ? chain : throw Fail($"Certificate chain is too short for {what}");
    }

    private static void VerifyChain(List<X509Certificate2> chain, TrustRoot root, DateTimeOffset now, RevocationList[] crls)
    {
        if (CrlCheckedChain.Verify(chain, root, now, crls) is { } problem)
        {
            throw Fail("Failed to verify certificate chain: " + problem);
        }
    }

    private static bool VerifyRaw(X509Certificate2 signer, string text, ReadOnlySpan<byte> signature)
    {
        using var key = signer.GetECDsaPublicKey();
        return key is not null && signature.Length == 64
            && key.VerifyData(Encoding.UTF8.GetBytes(text), signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
    }

    private static PckExtension ReadPckExtension(X509Certificate2 leaf)
    {
        var extensions = leaf.Extensions.Where(e => e.Oid?.Value == PckExtension.Oid).ToList();
        if (extensions.Count != 1)
        {
            throw Fail("Intel extension not found");
        }

        try
        {
            return PckExtension.Parse(extensions[0].RawData);
        }
        catch (FormatException e)
        {
            throw Fail(e.Message);
        }
    }

    private static TcbVerdict EvaluateQe(QeReport report, QeIdentity identity)
    {
        if (!report.MrSigner.Span.SequenceEqual(identity.MrSigner))
        {
            throw Fail($"QE MRSIGNER mismatch: expected {Convert.ToHexString(identity.MrSigner)}, got {Convert.ToHexString(report.MrSigner.Span)}");
        }

        var attributes = report.Attributes.Span;
        if ((attributes[0] & 0x02) != 0)
        {
            throw Fail("QE report validation failed: the QE is in debug mode");
        }

        if (report.IsvProdId != identity.IsvProdId)
        {
            throw Fail(string.Create(CultureInfo.InvariantCulture, $"QE report validation failed: ISVPRODID {report.IsvProdId}, expected {identity.IsvProdId}"));
        }

        if ((report.MiscSelect & identity.MiscSelectMask) != (identity.MiscSelect & identity.MiscSelectMask))
        {
            throw Fail("QE report validation failed: MISCSELECT does not match the QE Identity under its mask");
        }

        for (var i = 0; i < identity.Attributes.Length; i++)
        {
            if ((attributes[i] & identity.AttributesMask[i]) != (identity.Attributes[i] & identity.AttributesMask[i]))
            {
                throw Fail("QE report validation failed: ATTRIBUTES do not match the QE Identity under its mask");
            }
        }

        if (identity.Levels.Count == 0)
        {
            throw Fail("No TCB levels found in QE Identity");
        }

        var level = identity.Levels.FirstOrDefault(l => report.IsvSvn >= l.IsvSvn);
        return level?.Verdict ?? throw Fail(string.Create(
            CultureInfo.InvariantCulture, $"QE ISVSVN {report.IsvSvn} is below minimum required {identity.Levels.Min(l => l.IsvSvn)} from QE Identity"));
    }

    private static (TcbLevel Level, int Index) MatchLevel(List<TcbLevel> sorted, PckExtension pck, ReadOnlySpan<byte> teeTcbSvn)
    {
        var cpuSvn = pck.CpuSvn.Span;
        for (var index = 0; index < sorted.Count; index++)
        {
            var level = sorted[index];
            if (pck.PceSvn < level.PceSvn)
            {
                continue;
            }

            if (level.SgxComponents.Length != ComponentCount)
            {
                throw Fail(string.Create(CultureInfo.InvariantCulture, $"SGX component count mismatch: expected {ComponentCount}, got {level.SgxComponents.Length}"));
            }

            if (!AllAtLeast(cpuSvn, level.SgxComponents))
            {
                continue;
            }

            if (level.TdxComponents.Length != ComponentCount)
            {
                throw Fail(string.Create(CultureInfo.InvariantCulture, $"TDX component count mismatch: expected {ComponentCount}, got {level.TdxComponents.Length}"));
            }

            if (AllAtLeast(teeTcbSvn, level.TdxComponents))
            {
                return (level, index);
            }
        }

        throw Fail("No matching TCB level found");
    }

    private static bool AllAtLeast(ReadOnlySpan<byte> actual, int[] minimum)
    {
        for (var i = 0; i < minimum.Length; i++)
        {
            if (actual[i] < minimum[i])
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Spec §4.3: the module identity check and, with a <c>tdxModuleIdentities</c> entry, the module's level.</summary>
    private static (TcbVerdict? Verdict, string? Id) EvaluateModule(TdReportBody body, TcbInfo tcbInfo)
    {
        const string prefix = "TDX module identity check: ";
        var expected = tcbInfo.TdxModule ?? throw Fail(prefix + "TDX TCB Info is missing tdxModule field");
        var teeTcbSvn = body.TeeTcbSvn.Span;
        var version = teeTcbSvn[1];
        if (version > 0 && tcbInfo.TdxModuleIdentities.Count > 0)
        {
            var id = string.Create(CultureInfo.InvariantCulture, $"TDX_{version:X2}");
            expected = tcbInfo.TdxModuleIdentities.FirstOrDefault(m => string.Equals(m.Id, id, StringComparison.OrdinalIgnoreCase))
                ?? throw Fail($"{prefix}No TDX module identity with id {id} found in TCB Info");
        }

        if (!body.MrSignerSeam.Span.SequenceEqual(expected.MrSigner))
        {
            throw Fail($"{prefix}TDX module MRSIGNER mismatch: expected {Convert.ToHexString(expected.MrSigner)}, got {Convert.ToHexString(body.MrSignerSeam.Span)}");
        }

        var attributes = body.SeamAttributes.Span;
        for (var i = 0; i < expected.Attributes.Length; i++)
        {
            var mask = expected.AttributesMask[i];
            if ((attributes[i] & mask) != (expected.Attributes[i] & mask))
            {
                throw Fail(string.Create(CultureInfo.InvariantCulture, $"{prefix}TDX module SEAMATTRIBUTES mismatch at byte {i}: expected {expected.Attributes[i] & mask:x2}, got {attributes[i] & mask:x2}"));
            }

            if ((attributes[i] & ~mask) != 0)
            {
                throw Fail(string.Create(CultureInfo.InvariantCulture, $"{prefix}TDX module SEAMATTRIBUTES has bits set outside mask at byte {i}"));
            }
        }

        if (expected.Id is null)
        {
            return (null, null);
        }

        var moduleSvn = teeTcbSvn[0];
        var level = expected.Levels.FirstOrDefault(l => moduleSvn >= l.IsvSvn)
            ?? throw Fail(string.Create(CultureInfo.InvariantCulture, $"{prefix}TDX module ISVSVN {moduleSvn} is below minimum required from TDX module TCB levels"));
        return (level.Verdict, expected.Id);
    }

    /// <summary>Spec §4 step 11: TDATTRIBUTES (little-endian u64) and, for TD 1.5, MRSERVICETD.</summary>
    private static void CheckTdAttributes(TdReportBody body, bool rejectDebug)
    {
        const ulong reservedLow = 0xFEUL;                                   // bits 1–7
        const ulong reservedHigh = 0x0FFF_FF00UL | (1UL << 29) | 0x7FFF_FFFF_0000_0000UL; // bits 8–27, 29, 32–62
        var attributes = BinaryPrimitives.ReadUInt64LittleEndian(body.TdAttributes.Span);
        if ((attributes & reservedLow) != 0)
        {
            throw Fail("Reserved bits in TD attributes are set");
        }

        if (rejectDebug && (attributes & 1) != 0)
        {
            throw Fail("Debug mode is enabled");
        }

        if ((attributes & reservedHigh) != 0)
        {
            throw Fail("Reserved bits in TD attributes are set");
        }

        if ((attributes & (1UL << 28)) == 0)
        {
            throw Fail("SEPT_VE_DISABLE is not enabled");
        }

        if (body.IsTd15 && body.MrServiceTd.Span.ContainsAnyExcept((byte)0))
        {
            throw Fail("Invalid MR service TD");
        }
    }

    private static DcapVerificationException Fail(string message) => new(message);

    /// <summary>A signed collateral item and the names dcap-qvl's messages use for it.</summary>
    private sealed record SignedItem(string TypeName, string DateName, string ChainName, string Key, string Text, ReadOnlyMemory<byte> Signature, string IssuerChain);
}
