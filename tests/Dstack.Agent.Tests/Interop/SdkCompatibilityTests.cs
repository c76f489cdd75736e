using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Dstack.Agent.Tests.Support;
using Dstack.Attestation.EventLog;
using Dstack.Attestation.Formats;
using Dstack.Attestation.Quotes;
using Dstack.Crypto.Edwards;
using Dstack.Crypto.Encodings;
using Dstack.Crypto.Ethereum;
using Dstack.Crypto.RaTls;
using Dstack.Crypto.ReportData;
using Dstack.Crypto.Secp256k1;

namespace Dstack.Agent.Tests.Interop;

/// <summary>
/// The official JS client <c>@phala/dstack-sdk</c> 0.5.8 against <c>dstack-agent dev</c>, through its public API only
/// (scripts in <c>tests/interop/sdk/</c>); every value it reports is checked against our own derivations and verifiers.
/// </summary>
public sealed class SdkCompatibilityTests(DevAgentFixture fixture) : IClassFixture<DevAgentFixture>
{
    private const string Pkcs8Header = "308187020100301306072a8648ce3d020106082a8648ce3d030107046d306b02"; // first 32 bytes of every P-256 PKCS#8

    [Fact]
    public async Task DstackClient_info_keys_signatures_quotes_events_attestation_and_tls_keys()
    {
        using var result = await NodeScript.RunAsync("dstack-client.mjs", fixture.Environment);
        var r = result.RootElement;
        var state = fixture.State;
        var keys = fixture.KeyService;

        Assert.True(r.GetProperty("reachable").GetBoolean());
        Assert.Equal("0.5.11", r.GetProperty("version").GetProperty("version").GetString());

        // info(): identity of the dev state directory, tcb_info parsed by the SDK
        var info = r.GetProperty("info");
        Assert.Equal(Convert.ToHexStringLower(state.AppId), info.GetProperty("app_id").GetString());
        Assert.Equal(Convert.ToHexStringLower(state.InstanceId), info.GetProperty("instance_id").GetString());
        Assert.Equal(Convert.ToHexStringLower(state.ComposeHash), info.GetProperty("compose_hash").GetString());
        Assert.Equal("dstack-dev-app", info.GetProperty("app_name").GetString());
        Assert.Equal(fixture.Keys.KeyProviderInfo, info.GetProperty("key_provider_info").GetString());
        Assert.Equal(Encoding.UTF8.GetString(state.ComposeBytes), info.GetProperty("tcb_info").GetProperty("app_compose").GetString());
        Assert.Equal(info.GetProperty("mr_aggregated").GetString(), info.GetProperty("tcb_info").GetProperty("mr_aggregated").GetString());
        Assert.Equal(2, info.GetProperty("app_cert").GetString()!.Split("\n\n").Length);

        // getKey: the key our derivation gives, and the chain the SDK side recovered with @noble/curves
        var getKey = r.GetProperty("getKey");
        var expected = keys.GetKey("wallet/eth", "signing", "secp256k1");
        Assert.Equal(Convert.ToHexStringLower(expected.Key.Span), getKey.GetProperty("key").GetString());
        Assert.Equal(Convert.ToHexStringLower(keys.AppRootPublicKey.Span), getKey.GetProperty("app_root").GetString());
        Assert.Equal(Convert.ToHexStringLower(fixture.Keys.KmsRootPublicKey), getKey.GetProperty("kms_root").GetString());
        var ed = r.GetProperty("getKeyEd25519");
        var expectedEd = keys.GetKey("wallet/sol", "signing", "ed25519");
        Assert.Equal(Convert.ToHexStringLower(expectedEd.Key.Span), ed.GetProperty("key").GetString());
        Assert.Equal(Convert.ToHexStringLower(expectedEd.PublicKey.Span), ed.GetProperty("public_key").GetString());
        Assert.Equal(Convert.ToHexStringLower(keys.AppRootPublicKey.Span), ed.GetProperty("app_root").GetString());

        // sign / verify: deterministic signatures equal ours; the server verifies good ones and rejects tampered data
        foreach (var algorithm in new[] { "ed25519", "secp256k1" })
        {
            var sign = r.GetProperty("sign").GetProperty(algorithm);
            var ours = keys.Sign(algorithm, "hello dstack"u8);
            Assert.Equal(Convert.ToHexStringLower(ours.Signature.Span), sign.GetProperty("signature").GetString());
            Assert.Equal(Convert.ToHexStringLower(ours.PublicKey.Span), sign.GetProperty("public_key").GetString());
            Assert.Equal(3, sign.GetProperty("chain_length").GetInt32());
            Assert.True(sign.GetProperty("valid").GetBoolean());
            Assert.False(sign.GetProperty("tampered").GetBoolean());
        }

        Assert.True(r.GetProperty("sign").GetProperty("secp256k1_prehashed").GetProperty("valid").GetBoolean());

        // getQuote + the SDK's replayRtmrs: the quote verifies under the mock root and the SDK's replay gives its RTMRs
        var quote = AssertQuote(r.GetProperty("quote"), Encoding.UTF8.GetBytes("hello"));
        var afterEmit = r.GetProperty("quoteAfterEmit");
        var quoteAfter = AssertQuote(afterEmit, [1, 2, 3]);
        var emitted = EventLogJson.Deserialize(afterEmit.GetProperty("event_log").GetString()!).Last(e => e.IsRuntimeEvent);
        Assert.Equal("sdk-event", emitted.Event);
        Assert.Equal("payload from the sdk", Encoding.UTF8.GetString(emitted.EventPayload));
        Assert.Equal(SHA384.HashData([.. quote.Rtmrs[3].Span, .. emitted.Digest]), quoteAfter.Rtmrs[3].ToArray());

        var attestation = AttestationCodec.Decode(Convert.FromHexString(r.GetProperty("attest").GetString()!));
        Assert.Equal(QuoteReportData.Pad("attest me"u8), attestation.ReportData);
        SimulatedRoot.AssertReplays(attestation.EventLog, SimulatedRoot.AssertVerifies(fixture.Agent.StateDirectory, attestation.Quote));

        // getTlsKey with every option: exact PKCS#8, leaf signed by the app CA, RA-TLS binding, SAN, validity
        var tls = r.GetProperty("tls");
        Assert.Equal(Pkcs8Header, tls.GetProperty("der_prefix").GetString());
        var chain = tls.GetProperty("certificate_chain").EnumerateArray().Select(e => e.GetString()!).ToList();
        Assert.Equal(await File.ReadAllTextAsync(Path.Combine(fixture.Agent.StateDirectory, "app-ca.pem")), chain[1]);
        using var leaf = X509Certificate2.CreateFromPem(chain[0]);
        using var ca = X509Certificate2.CreateFromPem(chain[1]);
        CertificateAssert.SignedBy(leaf, ca);
        Assert.Equal("CN=sdk.example", leaf.Subject);
        Assert.Equal(new DateTime(2023, 11, 14, 22, 13, 20, DateTimeKind.Utc), leaf.NotBefore.ToUniversalTime());
        Assert.Equal(["sdk.example"], leaf.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single().EnumerateDnsNames());
        var binding = RaTlsQuoteBinding.Check(RaTlsCertificate.Parse(leaf));
        Assert.True(binding.IsBound, binding.Problem);
        SimulatedRoot.AssertVerifies(fixture.Agent.StateDirectory, binding.Attestation!.Quote);
        Assert.NotNull(CertificateAssert.DstackExtension(leaf, "1.3.6.1.4.1.62397.1.9"));

        var errors = r.GetProperty("errors");
        Assert.Equal("Report data is too large, it should be less than 64 bytes.", errors.GetProperty("quoteTooLong").GetString());
        Assert.Equal("Event name cannot be empty", errors.GetProperty("emitEmptyName").GetString());
        Assert.NotNull(errors.GetProperty("unsupportedAlgorithm").GetString());
        Assert.Equal("not_before must be earlier than not_after", errors.GetProperty("inverted").GetString());
    }

    [Fact]
    public async Task TappdClient_deriveKey_and_tdxQuote_with_replay()
    {
        using var result = await NodeScript.RunAsync("tappd-client.mjs", fixture.Environment);
        var r = result.RootElement;
        Assert.True(r.GetProperty("reachable").GetBoolean());

        var derive = r.GetProperty("deriveKey");
        Assert.Equal(P256KeyEncoding.ToPkcs8Pem(fixture.KeyService.DeriveP256Key("/app/tls")), derive.GetProperty("key").GetString());
        using var leaf = X509Certificate2.CreateFromPem(derive.GetProperty("certificate_chain")[0].GetString()!);
        using var ca = X509Certificate2.CreateFromPem(derive.GetProperty("certificate_chain")[1].GetString()!);
        CertificateAssert.SignedBy(leaf, ca);
        Assert.Equal("CN=tls.example", leaf.Subject);

        var hashed = r.GetProperty("tdxQuote");
        Assert.Equal("sha512", hashed.GetProperty("hash_algorithm").GetString());
        Assert.Equal("app-data", hashed.GetProperty("prefix").GetString());
        AssertQuote(hashed, QuoteReportData.ForTdxQuote("test"u8, "", "").ReportData.ToArray());

        var raw = r.GetProperty("rawQuote");
        Assert.Equal("raw", raw.GetProperty("hash_algorithm").GetString());
        Assert.Equal("", raw.GetProperty("prefix").GetString());
        AssertQuote(raw, [.. new byte[60], .. "abcd"u8]); // the SDK hex-encodes the string and left-pads raw report data
    }

    [Fact]
    public async Task Viem_and_solana_helpers_give_the_accounts_of_our_derived_keys()
    {
        using var result = await NodeScript.RunAsync("web3-helpers.mjs", fixture.Environment);
        var r = result.RootElement;
        var keys = fixture.KeyService;

        var ethKey = keys.GetKey("wallet/eth", "ethereum", "secp256k1").Key.ToArray();
        var address = Address(ethKey);
        var viem = r.GetProperty("viem");
        Assert.Equal(address, viem.GetProperty("address").GetString());
        Assert.Equal(address, viem.GetProperty("secure_address").GetString());
        Assert.Equal(address, viem.GetProperty("signed_by").GetString());

        var der = P256KeyEncoding.ToPkcs8Der(keys.DeriveP256Key("wallet/legacy"));
        var fromDerive = r.GetProperty("viemFromDeriveKey");
        Assert.Equal(Address(der[..32]), fromDerive.GetProperty("address").GetString());
        Assert.Equal(Address(SHA256.HashData(der)), fromDerive.GetProperty("secure_address").GetString());

        var solKey = keys.GetKey("wallet/sol", "solana", "ed25519").Key.ToArray();
        var solana = r.GetProperty("solana");
        Assert.Equal(Convert.ToHexStringLower(Ed25519.GetPublicKey(solKey)), solana.GetProperty("public_key").GetString());
        Assert.Equal(Convert.ToHexStringLower(Ed25519.GetPublicKey(solKey)), solana.GetProperty("secure_public_key").GetString());
        var solanaDerive = r.GetProperty("solanaFromDeriveKey");
        Assert.Equal(Convert.ToHexStringLower(Ed25519.GetPublicKey(der.AsSpan(0, 32))), solanaDerive.GetProperty("public_key").GetString());
        Assert.Equal(Convert.ToHexStringLower(Ed25519.GetPublicKey(SHA256.HashData(der))), solanaDerive.GetProperty("secure_public_key").GetString());
    }

    private static string Address(byte[] privateKey) =>
        EthereumAddress.ToChecksumString(EthereumAddress.FromPublicKey(PublicKey(privateKey), LibSecp256k1.Instance));

    private static byte[] PublicKey(byte[] privateKey)
    {
        var publicKey = new byte[65];
        LibSecp256k1.Instance.GetPublicKey(privateKey, publicKey);
        return publicKey;
    }

    /// <summary>The quote verifies under the dev root, binds the report data, and the SDK's <c>replayRtmrs()</c> equals its RTMRs.</summary>
    private TdxQuote AssertQuote(JsonElement response, byte[] reportData)
    {
        var quote = SimulatedRoot.AssertVerifies(fixture.Agent.StateDirectory, Convert.FromHexString(response.GetProperty("quote").GetString()!));
        Assert.Equal(QuoteReportData.Pad(reportData), quote.ReportData.ToArray());
        var replayed = response.GetProperty("replayed").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Equal(Enumerable.Range(0, 4).Select(i => Convert.ToHexStringLower(quote.Rtmrs[i].Span)), replayed);
        SimulatedRoot.AssertReplays(EventLogJson.Deserialize(response.GetProperty("event_log").GetString()!), quote);
        return quote;
    }
}
