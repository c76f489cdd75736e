using System.Buffers.Binary;
using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Dstack.Attestation.Dcap;

namespace Dstack.Attestation.Simulation;

/// <summary>
/// A deterministic mock of Intel's DCAP PKI for simulated TDs (spec tdx-boot §6.1): root CA → PCK platform CA → PCK leaf,
/// a TCB-signing certificate, and generated collateral. The keys come from a 32-byte seed, so every process with the same
/// seed has the same root public key (and therefore the same <see cref="TrustRoot"/> fingerprint).
/// </summary>
public sealed class MockDcapPki : IDisposable
{
    /// <summary>Size of the seed.</summary>
    public const int SeedSize = 32;

    /// <summary>Name given to the mock trust root.</summary>
    public const string RootName = "Mock Intel SGX Root CA";

    private static readonly DateTimeOffset NotBefore = new(2020, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset NotAfter = new(2100, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly byte[] Serial = [42];
    private static readonly byte[] CurveOrder = Convert.FromHexString("FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551");

    private readonly ECDsa _rootKey;
    private readonly ECDsa _pckCaKey;
    private readonly ECDsa _pckKey;
    private readonly ECDsa _tcbKey;
    private readonly ECDsa _qeKey;

    /// <summary>Derives the keys from <paramref name="seed"/> (exactly 32 bytes) and issues the certificates.</summary>
    public MockDcapPki(ReadOnlySpan<byte> seed)
    {
        if (seed.Length != SeedSize)
        {
            throw new ArgumentException($"the mock attestation seed must be {SeedSize} bytes, got {seed.Length}", nameof(seed));
        }

        _rootKey = DeriveKey(seed, "tdx-root");
        _pckCaKey = DeriveKey(seed, "tdx-pck-ca");
        _pckKey = DeriveKey(seed, "tdx-pck");
        _tcbKey = DeriveKey(seed, "tdx-tcb");
        _qeKey = DeriveKey(seed, "tdx-qe");

        var rootName = new X500DistinguishedName("CN=" + RootName);
        RootCertificate = Issue(rootName, _rootKey, rootName, _rootKey, isCa: true, pathLength: 1, leafExtensions: []);
        var caName = new X500DistinguishedName("CN=Mock Intel SGX PCK Platform CA");
        PckCaCertificate = Issue(caName, _pckCaKey, rootName, _rootKey, isCa: true, pathLength: 0, leafExtensions: []);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("mock.dstack.invalid");
        var sgx = PckExtension.Encode(new byte[6], new byte[2], new byte[16], 0, new int[16]);
        PckCertificate = Issue(
            new X500DistinguishedName("CN=Mock Intel SGX PCK Certificate"), _pckKey, caName, _pckCaKey, isCa: false, pathLength: 0,
            leafExtensions: [san.Build(), new X509Extension(PckExtension.Oid, sgx, critical: false)]);
        TcbSigningCertificate = Issue(new X500DistinguishedName("CN=Mock Intel SGX TCB Signing"), _tcbKey, rootName, _rootKey, isCa: false, pathLength: 0, leafExtensions: []);
        TrustRoot = TrustRoot.FromCertificate(RootName, RootCertificate);
        PckChainPem = PckCertificate.ExportCertificatePem() + "\n" + PckCaCertificate.ExportCertificatePem() + "\n" + RootCertificate.ExportCertificatePem() + "\n";
        TcbSigningChainPem = TcbSigningCertificate.ExportCertificatePem() + "\n" + RootCertificate.ExportCertificatePem() + "\n";
    }

    /// <summary>The trust root to give a <see cref="QuoteVerifier"/> that should accept quotes of this PKI.</summary>
    public TrustRoot TrustRoot { get; }

    /// <summary>"Mock Intel SGX Root CA" (self-signed).</summary>
    public X509Certificate2 RootCertificate { get; }

    /// <summary>"Mock Intel SGX PCK Platform CA", issued by the root.</summary>
    public X509Certificate2 PckCaCertificate { get; }

    /// <summary>"Mock Intel SGX PCK Certificate" with the SGX extension (FMSPC 000000000000, zero SVNs), issued by the PCK CA.</summary>
    public X509Certificate2 PckCertificate { get; }

    /// <summary>The TCB-signing certificate that signs the generated TCB info and QE identity, issued by the root.</summary>
    public X509Certificate2 TcbSigningCertificate { get; }

    /// <summary>PEM chain PCK leaf, PCK CA, root (as embedded in quotes, before the NUL terminator).</summary>
    public string PckChainPem { get; }

    /// <summary>PEM chain TCB signing certificate, root.</summary>
    public string TcbSigningChainPem { get; }

    /// <summary>
    /// Generates collateral valid from <paramref name="now"/> − 1 day to <paramref name="now"/> + 30 days whose single TCB level
    /// (all SVNs 0) has <paramref name="tcbStatus"/> and <paramref name="advisoryIds"/>; optionally the PCK CRL revokes the PCK leaf.
    /// </summary>
    public DcapCollateral CreateCollateral(DateTimeOffset now, string tcbStatus = TcbStatuses.UpToDate, IReadOnlyList<string>? advisoryIds = null, bool revokePckCertificate = false) =>
        CreateCollateral(new MockCollateralOptions
        {
            IssueDate = now.AddDays(-1),
            NextUpdate = now.AddDays(30),
            TcbStatus = tcbStatus,
            AdvisoryIds = advisoryIds ?? [],
            RevokePckCertificate = revokePckCertificate,
        });

    /// <summary>
    /// Generates collateral in the <c>QuoteCollateralV3</c> shape (spec dcap-collateral §1, §8), signed by this PKI, with the
    /// TCB levels, module identities, QE status, revocations and validity window of <paramref name="options"/>.
    /// </summary>
    public DcapCollateral CreateCollateral(MockCollateralOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var issue = options.IssueDate;
        var next = options.NextUpdate;
        IReadOnlyList<MockTcbLevel> levels = options.TcbLevels ?? [new MockTcbLevel(options.TcbStatus, options.AdvisoryIds)];
        var tcbInfo = Json(w =>
        {
            w.WriteString("id", "TDX");
            w.WriteNumber("version", 3);
            WriteDates(w, issue, next);
            w.WriteString("fmspc", options.Fmspc);
            w.WriteString("pceId", "0000");
            w.WriteNumber("tcbType", 0);
            w.WriteNumber("tcbEvaluationDataNumber", options.TcbEvaluationDataNumber);
            w.WriteStartObject("tdxModule");
            WriteModule(w, options.TdxModuleMrSigner);
            w.WriteEndObject();
            if (options.TdxModuleIdentities is { Count: > 0 } identities)
            {
                w.WriteStartArray("tdxModuleIdentities");
                foreach (var identity in identities)
                {
                    w.WriteStartObject();
                    w.WriteString("id", identity.Id);
                    WriteModule(w, options.TdxModuleMrSigner);
                    w.WriteStartArray("tcbLevels");
                    WriteIsvSvnLevel(w, identity.MinimumIsvSvn, issue, identity.Status, identity.AdvisoryIds);
                    w.WriteEndArray();
                    w.WriteEndObject();
                }

                w.WriteEndArray();
            }

            w.WriteStartArray("tcbLevels");
            foreach (var level in levels)
            {
                w.WriteStartObject();
                w.WriteStartObject("tcb");
                WriteComponents(w, "sgxtcbcomponents", level.SgxComponents);
                w.WriteNumber("pcesvn", level.PceSvn);
                WriteComponents(w, "tdxtcbcomponents", level.TdxComponents);
                w.WriteEndObject();
                w.WriteString("tcbDate", Format(issue));
                w.WriteString("tcbStatus", level.Status);
                WriteAdvisories(w, level.AdvisoryIds);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        });
        var qeIdentity = Json(w =>
        {
            w.WriteString("id", "TD_QE");
            w.WriteNumber("version", 2);
            WriteDates(w, issue, next);
            w.WriteNumber("tcbEvaluationDataNumber", options.TcbEvaluationDataNumber);
            w.WriteString("miscselect", "00000000");
            w.WriteString("miscselectMask", "FFFFFFFF");
            w.WriteString("attributes", new string('0', 32));
            w.WriteString("attributesMask", "FBFFFFFFFFFFFFFF0000000000000000");
            w.WriteString("mrsigner", MockQuotingEnclave.QeMrSignerHex);
            w.WriteNumber("isvprodid", MockQuotingEnclave.QeIsvProdId);
            w.WriteStartArray("tcbLevels");
            WriteIsvSvnLevel(w, MockQuotingEnclave.QeIsvSvn, issue, options.QeTcbStatus, options.QeAdvisoryIds);
            w.WriteEndArray();
        });

        return new DcapCollateral
        {
            PckCrlIssuerChain = PckCaCertificate.ExportCertificatePem() + "\n" + RootCertificate.ExportCertificatePem() + "\n",
            RootCaCrl = BuildCrl(RootCertificate, _rootKey, revoke: false, issue, next),
            PckCrl = BuildCrl(PckCaCertificate, _pckCaKey, options.RevokePckCertificate, issue, next),
            TcbInfoIssuerChain = TcbSigningChainPem,
            TcbInfo = tcbInfo,
            TcbInfoSignature = SignWithTcbKey(tcbInfo),
            QeIdentityIssuerChain = TcbSigningChainPem,
            QeIdentity = qeIdentity,
            QeIdentitySignature = SignWithTcbKey(qeIdentity),
        };
    }

    /// <summary>Signs a collateral body with the TCB signing key (raw r‖s over its UTF-8 bytes).</summary>
    internal byte[] SignWithTcbKey(string body) =>
        _tcbKey.SignData(Encoding.UTF8.GetBytes(body), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var key in new[] { _rootKey, _pckCaKey, _pckKey, _tcbKey, _qeKey })
        {
            key.Dispose();
        }

        foreach (var certificate in new[] { RootCertificate, PckCaCertificate, PckCertificate, TcbSigningCertificate })
        {
            certificate.Dispose();
        }
    }

    /// <summary>Signs a QE report with the PCK leaf key (raw r‖s).</summary>
    internal byte[] SignWithPckKey(ReadOnlySpan<byte> data) =>
        _pckKey.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

    /// <summary>The 32-byte private scalar for <paramref name="label"/>: first <c>SHA-256("dstack-mock-p256-v1" ‖ seed ‖ label ‖ BE32(counter))</c> in 1..n−1.</summary>
    internal static byte[] DeriveScalar(ReadOnlySpan<byte> seed, string label)
    {
        var prefix = "dstack-mock-p256-v1"u8;
        var labelBytes = Encoding.UTF8.GetBytes(label);
        var input = new byte[prefix.Length + seed.Length + labelBytes.Length + 4];
        prefix.CopyTo(input);
        seed.CopyTo(input.AsSpan(prefix.Length));
        labelBytes.CopyTo(input, prefix.Length + seed.Length);
        for (uint counter = 0; ; counter++)
        {
            BinaryPrimitives.WriteUInt32BigEndian(input.AsSpan(input.Length - 4), counter);
            var candidate = SHA256.HashData(input);
            if (candidate.AsSpan().ContainsAnyExcept((byte)0) && candidate.AsSpan().SequenceCompareTo(CurveOrder) < 0)
            {
                return candidate;
            }
        }
    }

    private static ECDsa DeriveKey(ReadOnlySpan<byte> seed, string label) =>
        ECDsa.Create(new ECParameters { Curve = ECCurve.NamedCurves.nistP256, D = DeriveScalar(seed, label) });

    private static X509Certificate2 Issue(X500DistinguishedName subject, ECDsa subjectKey, X500DistinguishedName issuer, ECDsa issuerKey, bool isCa, int pathLength, X509Extension[] leafExtensions)
    {
        var request = new CertificateRequest(subject, subjectKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(isCa, isCa, pathLength, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(
            isCa ? X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign : X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.NonRepudiation,
            critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        foreach (var extension in leafExtensions)
        {
            request.CertificateExtensions.Add(extension);
        }

        return request.Create(issuer, X509SignatureGenerator.CreateForECDsa(issuerKey), NotBefore, NotAfter, Serial);
    }

    private static byte[] BuildCrl(X509Certificate2 issuer, ECDsa issuerKey, bool revoke, DateTimeOffset thisUpdate, DateTimeOffset nextUpdate)
    {
        var builder = new CertificateRevocationListBuilder();
        if (revoke)
        {
            builder.AddEntry(Serial, thisUpdate);
        }

        return builder.Build(
            issuer.SubjectName,
            X509SignatureGenerator.CreateForECDsa(issuerKey),
            BigInteger.One,
            nextUpdate,
            HashAlgorithmName.SHA256,
            X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer, includeKeyIdentifier: true, includeIssuerAndSerial: false),
            thisUpdate);
    }

    private static string Json(Action<Utf8JsonWriter> writeProperties)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            writeProperties(writer);
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void WriteDates(Utf8JsonWriter writer, DateTimeOffset issue, DateTimeOffset next)
    {
        writer.WriteString("issueDate", Format(issue));
        writer.WriteString("nextUpdate", Format(next));
    }

    private static string Format(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);

    private static void WriteComponents(Utf8JsonWriter writer, string name, IReadOnlyList<int>? svns)
    {
        writer.WriteStartArray(name);
        for (var i = 0; i < 16; i++)
        {
            writer.WriteStartObject();
            writer.WriteNumber("svn", svns is not null && i < svns.Count ? svns[i] : 0);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    private static void WriteModule(Utf8JsonWriter writer, string? mrSigner)
    {
        writer.WriteString("mrsigner", mrSigner ?? new string('0', 96));
        writer.WriteString("attributes", "0000000000000000");
        writer.WriteString("attributesMask", "FFFFFFFFFFFFFFFF");
    }

    private static void WriteIsvSvnLevel(Utf8JsonWriter writer, int isvSvn, DateTimeOffset date, string status, IReadOnlyList<string>? advisoryIds)
    {
        writer.WriteStartObject();
        writer.WriteStartObject("tcb");
        writer.WriteNumber("isvsvn", isvSvn);
        writer.WriteEndObject();
        writer.WriteString("tcbDate", Format(date));
        writer.WriteString("tcbStatus", status);
        WriteAdvisories(writer, advisoryIds);
        writer.WriteEndObject();
    }

    private static void WriteAdvisories(Utf8JsonWriter writer, IReadOnlyList<string>? advisoryIds)
    {
        if (advisoryIds is not { Count: > 0 })
        {
            return;
        }

        writer.WriteStartArray("advisoryIDs");
        foreach (var id in advisoryIds)
        {
            writer.WriteStringValue(id);
        }

        writer.WriteEndArray();
    }
}
