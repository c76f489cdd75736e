using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Dstack.Attestation.Quotes;

namespace Dstack.Attestation.Dcap;

/// <summary>Checks DCAP collateral and evaluates the TCB status of a quote against it (spec tdx-boot §2.4 steps 2, 5 and 7).</summary>
internal static class CollateralEvaluator
{
    public static (string Status, IReadOnlyList<string> AdvisoryIds) Evaluate(
        TdxQuote quote,
        PckExtension pck,
        IReadOnlyList<X509Certificate2> pckChain,
        DcapCollateral collateral,
        TrustRoot root,
        DateTimeOffset now,
        List<string> failures)
    {
        TcbInfo tcbInfo;
        QeIdentity qeIdentity;
        List<X509Certificate2> signingChain;
        try
        {
            tcbInfo = TcbInfo.Parse(collateral.TcbInfoJson);
            qeIdentity = QeIdentity.Parse(collateral.QeIdentityJson);
            signingChain = CertificateChain.ParsePem(collateral.TcbSigningChainPem, "TCB signing chain");
        }
        catch (FormatException e)
        {
            failures.Add("collateral is malformed: " + e.Message);
            return (TcbStatuses.Unknown, []);
        }

        try
        {
            var before = failures.Count;
            CheckSignedDocuments(tcbInfo, qeIdentity, signingChain, root, now, failures);
            var revoked = CheckRevocation(pckChain, collateral, root, now, failures);
            if (failures.Count != before)
            {
                return (revoked ? TcbStatuses.Revoked : TcbStatuses.Unknown, []);
            }

            var (tcbStatus, tcbAdvisories) = EvaluateTdxTcb(quote, pck, tcbInfo, failures);
            var (qeStatus, qeAdvisories) = EvaluateQe(quote.Signature.QeReport, qeIdentity, failures);
            if (tcbStatus is null || qeStatus is null)
            {
                return (TcbStatuses.Unknown, []);
            }

            var status = Combine(tcbStatus, qeStatus);
            if (status == TcbStatuses.Revoked)
            {
                failures.Add("the platform TCB level is revoked");
            }

            return (status, [.. tcbAdvisories.Concat(qeAdvisories).Distinct(StringComparer.Ordinal)]);
        }
        finally
        {
            foreach (var certificate in signingChain)
            {
                certificate.Dispose();
            }
        }
    }

    /// <summary>Converges the platform TCB status with the QE TCB status (Intel QVL rules).</summary>
    internal static string Combine(string tcbStatus, string qeStatus) => qeStatus switch
    {
        TcbStatuses.Revoked => TcbStatuses.Revoked,
        TcbStatuses.OutOfDate or TcbStatuses.OutOfDateConfigurationNeeded => tcbStatus switch
        {
            TcbStatuses.UpToDate or TcbStatuses.SWHardeningNeeded => TcbStatuses.OutOfDate,
            TcbStatuses.ConfigurationNeeded or TcbStatuses.ConfigurationAndSWHardeningNeeded => TcbStatuses.OutOfDateConfigurationNeeded,
            _ => tcbStatus,
        },
        _ => tcbStatus,
    };

    private static void CheckSignedDocuments(TcbInfo tcbInfo, QeIdentity qeIdentity, List<X509Certificate2> signingChain, TrustRoot root, DateTimeOffset now, List<string> failures)
    {
        CertificateChain.Validate(signingChain, root, now, "TCB signing chain", failures);
        using var signingKey = signingChain.Count > 0 ? signingChain[0].GetECDsaPublicKey() : null;
        if (signingKey is null)
        {
            failures.Add("TCB signing chain: no P-256 signing certificate");
        }
        else
        {
            if (!Verify(signingKey, tcbInfo.RawBody, tcbInfo.Signature))
            {
                failures.Add("TCB info signature does not verify with the TCB signing certificate");
            }

            if (!Verify(signingKey, qeIdentity.RawBody, qeIdentity.Signature))
            {
                failures.Add("QE identity signature does not verify with the TCB signing certificate");
            }
        }

        CheckValidity("TCB info", tcbInfo.IssueDate, tcbInfo.NextUpdate, now, failures);
        CheckValidity("QE identity", qeIdentity.IssueDate, qeIdentity.NextUpdate, now, failures);
    }

    private static void CheckValidity(string what, DateTimeOffset issueDate, DateTimeOffset? nextUpdate, DateTimeOffset now, List<string> failures)
    {
        if (now < issueDate)
        {
            failures.Add($"{what} is not yet valid (issued {issueDate:O}, now {now:O})");
        }

        if (nextUpdate is { } next && now > next)
        {
            failures.Add($"{what} has expired (nextUpdate {next:O}, now {now:O})");
        }
    }

    private static bool Verify(ECDsa key, string rawBody, byte[] signature) =>
        key.VerifyData(Encoding.UTF8.GetBytes(rawBody), signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

    /// <summary>Checks the PCK CRL (leaf) and the root CA CRL (intermediates); returns whether anything was revoked.</summary>
    private static bool CheckRevocation(IReadOnlyList<X509Certificate2> pckChain, DcapCollateral collateral, TrustRoot root, DateTimeOffset now, List<string> failures)
    {
        var revoked = false;
        try
        {
            if (!collateral.PckCrl.IsEmpty && pckChain.Count >= 2)
            {
                var crl = RevocationList.Parse(collateral.PckCrl, "PCK CRL");
                var issuer = pckChain[1];
                using var issuerKey = issuer.GetECDsaPublicKey();
                CheckCrl(crl, "PCK CRL", issuer.SubjectName.RawData, issuerKey, now, failures);
                if (crl.IsRevoked(pckChain[0].SerialNumberBytes.Span))
                {
                    failures.Add($"PCK certificate (serial {pckChain[0].SerialNumber}) is revoked by the PCK CRL");
                    revoked = true;
                }
            }

            if (!collateral.RootCaCrl.IsEmpty)
            {
                var crl = RevocationList.Parse(collateral.RootCaCrl, "root CA CRL");
                using var rootKey = root.CreatePublicKey();
                CheckCrl(crl, "root CA CRL", null, rootKey, now, failures);
                for (var i = 1; i < pckChain.Count; i++)
                {
                    if (!root.IsKeyOf(pckChain[i]) && crl.IsRevoked(pckChain[i].SerialNumberBytes.Span))
                    {
                        failures.Add($"{pckChain[i].Subject} (serial {pckChain[i].SerialNumber}) is revoked by the root CA CRL");
                        revoked = true;
                    }
                }
            }
        }
        catch (FormatException e)
        {
            failures.Add("collateral is malformed: " + e.Message);
        }

        return revoked;
    }

    private static void CheckCrl(RevocationList crl, string what, byte[]? expectedIssuer, ECDsa? issuerKey, DateTimeOffset now, List<string> failures)
    {
        if (expectedIssuer is not null && !crl.Issuer.AsSpan().SequenceEqual(expectedIssuer))
        {
            failures.Add($"{what} is not issued by the certificate's issuer");
        }

        if (issuerKey is null || !CertificateChain.VerifySignature(crl.Der, issuerKey))
        {
            failures.Add($"{what} signature does not verify with its issuer's key");
        }

        CheckValidity(what, crl.ThisUpdate, crl.NextUpdate, now, failures);
    }

    private static (string? Status, IReadOnlyList<string> AdvisoryIds) EvaluateTdxTcb(TdxQuote quote, PckExtension pck, TcbInfo tcbInfo, List<string> failures)
    {
        if (!pck.Fmspc.Span.SequenceEqual(tcbInfo.Fmspc))
        {
            failures.Add($"TCB info FMSPC {Convert.ToHexStringLower(tcbInfo.Fmspc)} does not match the PCK certificate's {Convert.ToHexStringLower(pck.Fmspc.Span)}");
            return (null, []);
        }

        if (!pck.PceId.Span.SequenceEqual(tcbInfo.PceId))
        {
            failures.Add($"TCB info PCE-ID {Convert.ToHexStringLower(tcbInfo.PceId)} does not match the PCK certificate's {Convert.ToHexStringLower(pck.PceId.Span)}");
            return (null, []);
        }

        var body = quote.Body;
        if (tcbInfo.TdxModuleMrSigner is { } moduleSigner)
        {
            if (!body.MrSignerSeam.Span.SequenceEqual(moduleSigner))
            {
                failures.Add("MRSIGNERSEAM does not match the TDX module identity of the TCB info");
            }

            if (!MaskedEqual(body.SeamAttributes.Span, tcbInfo.TdxModuleAttributes!, tcbInfo.TdxModuleAttributesMask!))
            {
                failures.Add("SEAMATTRIBUTES do not match the TDX module identity of the TCB info under its mask");
            }
        }

        var teeTcbSvn = body.TeeTcbSvn.Span;
        foreach (var level in tcbInfo.Levels)
        {
            var matches = level.PceSvn <= pck.PceSvn;
            for (var i = 0; i < 16 && matches; i++)
            {
                matches = level.SgxComponents[i] <= pck.SgxTcbComponents[i] && level.TdxComponents[i] <= teeTcbSvn[i];
            }

            if (matches)
            {
                return (level.Status, level.AdvisoryIds);
            }
        }

        failures.Add("no TCB level of the TCB info matches the platform (TCB not supported)");
        return (null, []);
    }

    private static (string? Status, IReadOnlyList<string> AdvisoryIds) EvaluateQe(QeReport qe, QeIdentity identity, List<string> failures)
    {
        var ok = true;
        if (!qe.MrSigner.Span.SequenceEqual(identity.MrSigner))
        {
            failures.Add("QE report MRSIGNER does not match the QE identity");
            ok = false;
        }

        if (qe.IsvProdId != identity.IsvProdId)
        {
            failures.Add($"QE report ISVPRODID {qe.IsvProdId} does not match the QE identity's {identity.IsvProdId}");
            ok = false;
        }

        if ((qe.MiscSelect & identity.MiscSelectMask) != (identity.MiscSelect & identity.MiscSelectMask))
        {
            failures.Add("QE report MISCSELECT does not match the QE identity under its mask");
            ok = false;
        }

        if (!MaskedEqual(qe.Attributes.Span, identity.Attributes, identity.AttributesMask))
        {
            failures.Add("QE report ATTRIBUTES do not match the QE identity under its mask");
            ok = false;
        }

        if (!ok)
        {
            return (null, []);
        }

        foreach (var (isvSvn, status, advisories) in identity.Levels)
        {
            if (isvSvn <= qe.IsvSvn)
            {
                return (status, advisories);
            }
        }

        return (TcbStatuses.OutOfDate, []);
    }

    private static bool MaskedEqual(ReadOnlySpan<byte> actual, byte[] expected, byte[] mask)
    {
        if (actual.Length != expected.Length || mask.Length != expected.Length)
        {
            return false;
        }

        for (var i = 0; i < actual.Length; i++)
        {
            if ((actual[i] & mask[i]) != (expected[i] & mask[i]))
            {
                return false;
            }
        }

        return true;
    }
}
