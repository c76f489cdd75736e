using System.Security.Cryptography;
using Dstack.Attestation.Dcap;
using Dstack.Attestation.EventLog;
using Dstack.Attestation.Formats;
using Dstack.Attestation.Simulation;
using Dstack.Crypto.RaTls;
using Dstack.Crypto.ReportData;
using Dstack.Tests;

namespace Dstack.Crypto.Tests.RaTls;

public sealed class RaTlsQuoteBindingTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly SimulatedTd _td;
    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly RaTlsCertificateBuilder _builder = new(TimeProvider.System);

    public RaTlsQuoteBindingTests() => _td = SimulatedTd.Open(_dir.Path);

    public void Dispose()
    {
        _td.Dispose();
        _key.Dispose();
        _dir.Dispose();
    }

    private async Task<byte[]> AttestationOver(byte[] reportData) => AttestationCodec.EncodeV0(new VersionedAttestation
    {
        Quote = await _td.Device.GetQuoteAsync(reportData, CancellationToken.None),
        EventLog = await _td.ReadEventLogAsync(CancellationToken.None),
        RuntimeEvents = [],
        ReportData = reportData,
        Config = "{}",
    });

    [Fact]
    public async Task Certificate_with_a_quote_over_its_key_is_bound_and_the_quote_verifies()
    {
        var spki = _key.ExportSubjectPublicKeyInfo();
        var reportData = QuoteReportData.ForRaTlsCertificate(spki);
        var attestation = await AttestationOver(reportData);
        using var cert = _builder.IssueSelfSigned(_key, new RaTlsCertificateOptions { Subject = "app", Attestation = attestation });

        var binding = RaTlsQuoteBinding.Check(RaTlsCertificate.Parse(cert));

        Assert.True(binding.IsBound, binding.Problem);
        Assert.Null(binding.Problem);
        Assert.Equal(reportData, binding.Quote!.ReportData.ToArray());
        Assert.True(new QuoteVerifier(_td.TrustRoot).Verify(binding.Quote).IsValid);
        Assert.Equal(RtmrReplay.Replay(binding.Attestation!.EventLog).ToHex(3), Convert.ToHexStringLower(binding.Quote.Rtmrs[3].Span));
    }

    [Fact]
    public async Task Quote_over_another_key_is_not_bound()
    {
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var attestation = await AttestationOver(QuoteReportData.ForRaTlsCertificate(other.ExportSubjectPublicKeyInfo()));
        using var cert = _builder.IssueSelfSigned(_key, new RaTlsCertificateOptions { Subject = "app", Attestation = attestation });

        var binding = RaTlsQuoteBinding.Check(RaTlsCertificate.Parse(cert));

        Assert.False(binding.IsBound);
        Assert.NotNull(binding.Quote);
        Assert.Contains("does not bind", binding.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Certificate_without_a_quote_or_with_garbage_is_reported()
    {
        using var bare = _builder.IssueSelfSigned(_key, new RaTlsCertificateOptions { Subject = "app" });
        var none = RaTlsQuoteBinding.Check(RaTlsCertificate.Parse(bare));
        Assert.False(none.IsBound);
        Assert.Contains("no attestation", none.Problem, StringComparison.Ordinal);

        using var garbage = _builder.IssueSelfSigned(_key, new RaTlsCertificateOptions { Subject = "app", Attestation = new byte[] { 0x00, 0x00, 0xff } });
        var bad = RaTlsQuoteBinding.Check(RaTlsCertificate.Parse(garbage));
        Assert.False(bad.IsBound);
        Assert.Null(bad.Quote);
        Assert.Contains("malformed", bad.Problem, StringComparison.Ordinal);
    }
}
