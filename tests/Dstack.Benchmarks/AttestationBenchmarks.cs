using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using BenchmarkDotNet.Attributes;
using Dstack.Attestation.Dcap;
using Dstack.Attestation.EventLog;
using Dstack.Attestation.Simulation;
using Dstack.Crypto.RaTls;
using Dstack.Tests;

namespace Dstack.Benchmarks;

/// <summary>
/// What the KMS does per caller: DCAP verification of a real Intel quote with its real collateral (at the fixture's time)
/// and of a simulated quote, the boot event-log replay of a real CCEL capture, and RA-TLS certificate build and parse.
/// </summary>
[MemoryDiagnoser]
public class AttestationBenchmarks : IDisposable
{
    private byte[] _realQuote = null!;
    private DcapCollateral _realCollateral = null!;
    private QuoteVerifier _realVerifier = null!;
    private byte[] _simulatedQuote = null!;
    private DcapCollateral _simulatedCollateral = null!;
    private QuoteVerifier _simulatedVerifier = null!;
    private MockDcapPki _pki = null!;
    private byte[] _ccel = null!;
    private IReadOnlyList<TdxEvent> _events = null!;
    private ECDsa _issuerKey = null!;
    private byte[] _subjectKey = null!;
    private RaTlsCertificateBuilder _builder = null!;
    private X509Certificate2 _certificate = null!;

    [GlobalSetup]
    public void Setup()
    {
        _realQuote = SharedFiles.ReadFixture("collateral/tdx_quote");
        _realCollateral = DcapCollateral.FromJson(File.ReadAllText(SharedFiles.Fixture("collateral/tdx_quote_collateral.json")));
        _realVerifier = new QuoteVerifier(TrustRoot.IntelSgxRootCa, new FixedTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1752919234)));
        _pki = new MockDcapPki(Enumerable.Repeat((byte)7, MockDcapPki.SeedSize).ToArray());
        _simulatedQuote = new MockQuotingEnclave(_pki).CreateQuote(new byte[MockQuotingEnclave.TdReportSize]);
        _simulatedCollateral = _pki.CreateCollateral(DateTimeOffset.UtcNow);
        _simulatedVerifier = new QuoteVerifier(_pki.TrustRoot, TimeProvider.System, new QuoteVerificationOptions { RejectDebugTd = false });
        _ccel = SharedFiles.ReadFixture("eventlog-ccel.bin");
        _events = CcelParser.Parse(_ccel);
        _issuerKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var subject = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        _subjectKey = subject.ExportSubjectPublicKeyInfo();
        _builder = new RaTlsCertificateBuilder(TimeProvider.System);
        _certificate = Issue();
    }

    [Benchmark]
    public bool Dcap_verify_real_quote_with_collateral() => _realVerifier.Verify(_realQuote, _realCollateral).IsValid;

    [Benchmark]
    public bool Dcap_verify_simulated_quote_with_collateral() => _simulatedVerifier.Verify(_simulatedQuote, _simulatedCollateral).IsValid;

    [Benchmark]
    public bool Dcap_verify_simulated_quote_without_collateral() => _simulatedVerifier.Verify(_simulatedQuote).IsValid;

    [Benchmark]
    public int Ccel_parse() => CcelParser.Parse(_ccel).Count;

    [Benchmark]
    public RtmrValues Event_log_replay() => RtmrReplay.Replay(_events);

    [Benchmark]
    public X509Certificate2 RaTls_certificate_build() => Issue();

    [Benchmark]
    public RaTlsCertificate RaTls_certificate_parse() => RaTlsCertificate.Parse(_certificate);

    public void Dispose()
    {
        _pki?.Dispose();
        _issuerKey?.Dispose();
        _certificate?.Dispose();
        GC.SuppressFinalize(this);
    }

    private X509Certificate2 Issue() =>
        _builder.Issue(_subjectKey, new RaTlsCertificateOptions { Subject = "bench.example", UsageServerAuth = true }, new X500DistinguishedName("CN=bench CA"), _issuerKey);
}
