using System.Text.Json;
using Dstack.Agent.Tests.Support;

namespace Dstack.Agent.Tests.Methods;

/// <summary>GetKey / DeriveK256Key / Sign / Verify with the simulator app keys against the spec's vectors (§3.5, Appendix A).</summary>
public sealed class KeyMethodTests : IAsyncLifetime
{
    private const string KmsSignature = "9e618603e72d01fedb82deff6daf2d62a572becf0059eec3f89c1ab40e1f2e594d2a283f843f34e8f39e4cc49a612496ce67223a12ac923f8efe330346dfc6c500";
    private TestAgent _agent = null!;

    public async Task InitializeAsync() => _agent = await TestAgent.StartAsync();

    public async Task DisposeAsync() => await _agent.DisposeAsync();

    [Fact]
    public async Task GetKey_matches_appendix_a_byte_for_byte()
    {
        var response = await RawHttp.PostJsonAsync(_agent.DstackSocket, "/GetKey", "{\"path\":\"/test/path\",\"purpose\":\"test-purpose\",\"algorithm\":\"secp256k1\"}");
        Assert.Equal(200, response.Status);
        Assert.Equal(
            "{\"key\":\"b9fbb7171185c421c58610a2acba8ceae93623ae47815618cbad1e98fc042cb7\",\"signature_chain\":[\"f50c51735a97072f0c98125ed61fc84e2fdb36e95990b9e57337dadc0e2a9712227f04e07209faecb8891d59ec144a6c13e411dc90b3423f28071bd3fe11978d01\",\"" + KmsSignature + "\"]}",
            response.BodyText);
    }

    [Fact]
    public async Task GetKey_get_form_and_tappd_derive_k256_key_agree()
    {
        var get = await RawHttp.SendAsync(_agent.DstackSocket, RawHttp.Request("GET", "/GetKey?path=my/key/path&purpose=signing&algorithm=ed25519"));
        using var json = JsonDocument.Parse(get.Body);
        Assert.Equal("866d0884686e5afdbdaace8bd77c0b4f69a30dbe9506d69270a07bf247c8f4f0", json.RootElement.GetProperty("key").GetString());
        Assert.StartsWith("bdcf39cde546877d", json.RootElement.GetProperty("signature_chain")[0].GetString(), StringComparison.Ordinal);

        var tappd = await RawHttp.PostJsonAsync(_agent.TappdSocket, "/prpc/Tappd.DeriveK256Key", "{\"path\":\"/test/path\",\"purpose\":\"test-purpose\"}");
        Assert.StartsWith("{\"k256_key\":\"b9fbb7171185c421", tappd.BodyText, StringComparison.Ordinal);
        Assert.Contains("\"k256_signature_chain\":[\"f50c5173", tappd.BodyText, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/GetKey", "{\"algorithm\":\"secp256k1_prehashed\"}", "Unsupported algorithm")]
    [InlineData("/Sign", "{\"algorithm\":\"\",\"data\":\"00\"}", "Unsupported algorithm")]
    [InlineData("/Sign", "{\"algorithm\":\"secp256k1_prehashed\",\"data\":\"00\"}", "Pre-hashed signing requires a 32-byte digest, but received 1 bytes")]
    public async Task Key_errors_are_400_with_the_spec_message(string path, string body, string message)
    {
        var response = await RawHttp.PostJsonAsync(_agent.DstackSocket, path, body);
        Assert.Equal(400, response.Status);
        Assert.Equal("{\n  \"error\": \"" + message + "\"\n}", response.BodyText);
    }

    [Fact]
    public async Task Sign_then_verify_round_trips_with_the_spec_vector()
    {
        const string data = "54657374206d65737361676520666f72207369676e696e67";
        var sign = await RawHttp.PostJsonAsync(_agent.DstackSocket, "/Sign", $"{{\"algorithm\":\"ed25519\",\"data\":\"{data}\"}}");
        using var signed = JsonDocument.Parse(sign.Body);
        var signature = signed.RootElement.GetProperty("signature").GetString()!;
        var publicKey = signed.RootElement.GetProperty("public_key").GetString()!;
        Assert.Equal("5d1b901403e9a4a03b4f854d0895abd7289f68381cd1044212c0e0c779493fc4886bfd139e3b8e6bf214d38b2ae15a32708f8f18805061a2079cca1c79288f04", signature);
        Assert.Equal("698f56bd587d8ce3ca8db0e1c361ba9d190089f98dc4d9df800ff92ed073a65d", publicKey);
        Assert.Equal(3, signed.RootElement.GetProperty("signature_chain").GetArrayLength());

        var valid = await RawHttp.PostJsonAsync(_agent.DstackSocket, "/Verify", $"{{\"algorithm\":\"ed25519\",\"data\":\"{data}\",\"signature\":\"{signature}\",\"public_key\":\"{publicKey}\"}}");
        Assert.Equal("{\"valid\":true}", valid.BodyText);
        var wrong = await RawHttp.PostJsonAsync(_agent.DstackSocket, "/Verify", $"{{\"algorithm\":\"ed25519\",\"data\":\"00\",\"signature\":\"{signature}\",\"public_key\":\"{publicKey}\"}}");
        Assert.Equal("{\"valid\":false}", wrong.BodyText);
        var malformed = await RawHttp.PostJsonAsync(_agent.DstackSocket, "/Verify", "{\"algorithm\":\"ed25519\",\"data\":\"00\",\"signature\":\"00\",\"public_key\":\"00\"}");
        Assert.Equal(400, malformed.Status);
    }

    [Fact]
    public async Task Missing_app_keys_file_is_a_400_error()
    {
        // a fresh agent: the one of this class has read the file already (the demo certificate is issued at start-up)
        await using var agent = TestAgent.Create();
        File.Delete(Path.Combine(agent.Directory, "appkeys.json"));
        await agent.StartAsync();
        var response = await RawHttp.PostJsonAsync(agent.DstackSocket, "/GetKey", "{}");
        Assert.Equal(400, response.Status);
        Assert.Contains("cannot read app keys", response.BodyText, StringComparison.Ordinal);
    }
}
