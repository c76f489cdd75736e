using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Dstack.Attestation.EventLog;
using Dstack.Attestation.Formats;
using Dstack.Attestation.Simulation;
using Dstack.Crypto.RaTls;
using Dstack.Crypto.ReportData;

namespace Dstack.Tests;

/// <summary>
/// RA-TLS client certificates of a simulated TD, as a guest builds them for the KMS (kms.md §1.4) — or as a malicious
/// client crafts them: a tampered quote, a quote bound to another key, a debug TD. Shared by the tests of projects that
/// reference <c>Dstack.Attestation</c> and <c>Dstack.Crypto</c> (included explicitly, not by the <c>TestSupport/*.cs</c> glob).
/// </summary>
internal static class RaTlsCaller
{
    /// <summary>Subject of the certificate a guest presents.</summary>
    public const string Subject = "RA-TLS TEMP Cert";

    /// <summary>An RA-TLS client certificate of <paramref name="td"/> with its private key.</summary>
    /// <param name="td">The TD whose quote and event log go into the certificate.</param>
    /// <param name="vmConfig">The <c>vm_config</c> embedded in the attestation.</param>
    /// <param name="tamperQuote">Rewrites the quote after it is made (a forged quote).</param>
    /// <param name="bindOtherKey">The quote's report data binds another key than the certificate's.</param>
    /// <param name="debug">The TD report carries TDATTRIBUTES.DEBUG (quoted by the TD's own mock QE, so it verifies).</param>
    /// <param name="tempCa">The issuer (the KMS's temp CA from <c>GetTempCaCert</c>); a throwaway CA when null.</param>
    public static async Task<X509Certificate2> CreateCertificateAsync(
        SimulatedTd td,
        string vmConfig,
        Func<byte[], byte[]>? tamperQuote = null,
        bool bindOtherKey = false,
        bool debug = false,
        (string CertificatePem, string KeyPem)? tempCa = null)
    {
        ArgumentNullException.ThrowIfNull(td);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var spki = key.ExportSubjectPublicKeyInfo();
        byte[] reportData;
        if (bindOtherKey)
        {
            using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            reportData = QuoteReportData.ForRaTlsCertificate(other.ExportSubjectPublicKeyInfo());
        }
        else
        {
            reportData = QuoteReportData.ForRaTlsCertificate(spki);
        }

        byte[] quote;
        if (debug)
        {
            var report = await td.Device.GetTdReportAsync(reportData, CancellationToken.None).ConfigureAwait(false);
            report[512] |= 0x01; // TDATTRIBUTES.DEBUG
            quote = new MockQuotingEnclave(td.Pki).CreateQuote(report);
        }
        else
        {
            quote = await td.Device.GetQuoteAsync(reportData, CancellationToken.None).ConfigureAwait(false);
        }

        quote = tamperQuote?.Invoke(quote) ?? quote;
        var attestation = await CreateAttestationAsync(td, quote, reportData, vmConfig).ConfigureAwait(false);
        using var issuerKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var issuerName = new X500DistinguishedName("CN=Dstack Client Temp CA");
        if (tempCa is { } ca)
        {
            issuerKey.ImportFromPem(ca.KeyPem);
            using var issuer = X509Certificate2.CreateFromPem(ca.CertificatePem);
            issuerName = issuer.SubjectName;
        }

        using var issued = new RaTlsCertificateBuilder(TimeProvider.System).Issue(spki, new RaTlsCertificateOptions
        {
            Subject = Subject,
            SpecialUsage = null,
            Attestation = AttestationCodec.EncodeV0(attestation),
        }, issuerName, issuerKey);
        using var withKey = issued.CopyWithPrivateKey(key);
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>The attestation of <paramref name="td"/>: <paramref name="quote"/>, its full event log and runtime events.</summary>
    public static async Task<VersionedAttestation> CreateAttestationAsync(SimulatedTd td, byte[] quote, byte[] reportData, string vmConfig)
    {
        ArgumentNullException.ThrowIfNull(td);
        var events = await td.ReadEventLogAsync(CancellationToken.None).ConfigureAwait(false);
        return new VersionedAttestation
        {
            Quote = quote,
            EventLog = events,
            RuntimeEvents = AppInfoCalculator.RuntimeEventsOf(events),
            ReportData = reportData,
            Config = vmConfig,
        };
    }
}
