using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Dstack.Agent.Cli;
using Dstack.Agent.Dev;
using Dstack.Agent.Tests.Support;
using Dstack.Attestation.EventLog;
using Dstack.Crypto.Secp256k1;
using Dstack.Crypto.SignatureChains;

namespace Dstack.Agent.Tests.Cli;

public sealed class DevCommandTests
{
    private static readonly string[] BootOrder =
        ["system-preparing", "app-id", "compose-hash", "instance-id", "boot-mr-done", "os-image-hash", "key-provider", "storage-fs", "system-ready"];

    [Fact]
    public async Task Dev_boots_once_serves_both_sockets_and_its_quotes_pass_the_cli_checks()
    {
        await using var dev = await DevAgent.StartAsync();
        Assert.Contains($"curl --unix-socket {dev.DstackSocket} http://localhost/Info", dev.Output, StringComparison.Ordinal);
        Assert.Contains("booted now (9 runtime events emitted)", dev.Output, StringComparison.Ordinal);
        Assert.Contains($"export DSTACK_SIMULATOR_ENDPOINT={dev.DstackSocket} TAPPD_SIMULATOR_ENDPOINT={dev.TappdSocket}", dev.Output, StringComparison.Ordinal);

        var compose = await File.ReadAllBytesAsync(Path.Combine(dev.StateDirectory, DevState.ComposeFileName));
        var composeHash = Convert.ToHexStringLower(SHA256.HashData(compose));
        using var instanceInfo = JsonDocument.Parse(await File.ReadAllBytesAsync(Path.Combine(dev.StateDirectory, DevState.InstanceInfoFileName)));
        var seed = Convert.FromHexString(instanceInfo.RootElement.GetProperty("instance_id_seed").GetString()!);
        var expectedInstanceId = Convert.ToHexStringLower(SHA256.HashData([.. seed, .. Convert.FromHexString(composeHash[..40])])[..20]);

        var info = await RawHttp.SendAsync(dev.DstackSocket, RawHttp.Request("GET", "/Info"));
        using var infoJson = JsonDocument.Parse(info.Body);
        var root = infoJson.RootElement;
        Assert.Equal(composeHash, root.GetProperty("compose_hash").GetString());
        Assert.Equal(composeHash[..40], root.GetProperty("app_id").GetString());
        Assert.Equal(expectedInstanceId, root.GetProperty("instance_id").GetString());
        Assert.Equal("dstack-dev-app", root.GetProperty("app_name").GetString());
        Assert.StartsWith("{\"name\":\"kms\",\"id\":\"3059", root.GetProperty("key_provider_info").GetString(), StringComparison.Ordinal);
        Assert.Equal(Encoding.UTF8.GetString(compose), JsonDocument.Parse(root.GetProperty("tcb_info").GetString()!).RootElement.GetProperty("app_compose").GetString());

        var tappdInfo = await RawHttp.SendAsync(dev.TappdSocket, RawHttp.Request("GET", "/prpc/Tappd.Info"));
        Assert.Equal(200, tappdInfo.Status);

        // GetQuote through the socket, then the CLI verbs a user would run on the saved response
        var quoteResponse = await RawHttp.SendAsync(dev.DstackSocket, RawHttp.Request("GET", "/GetQuote?report_data=0x1234"));
        Assert.Equal(200, quoteResponse.Status);
        var saved = Path.Combine(dev.Directory, "quote.json");
        await File.WriteAllBytesAsync(saved, quoteResponse.Body);
        using (var output = new StringWriter())
        using (var error = new StringWriter())
        {
            var code = await ReplayCommand.RunAsync(saved, dev.StateDirectory, Stream.Null, output, error, CancellationToken.None);
            Assert.True(code == 0, output + error.ToString());
            using var verdict = JsonDocument.Parse(output.ToString());
            Assert.True(verdict.RootElement.GetProperty("quote").GetProperty("valid").GetBoolean());
            Assert.True(verdict.RootElement.GetProperty("quote").GetProperty("replay_matches").GetBoolean());
        }

        using var quoteJson = JsonDocument.Parse(quoteResponse.Body);
        var quoteHex = Path.Combine(dev.Directory, "quote.hex");
        await File.WriteAllTextAsync(quoteHex, quoteJson.RootElement.GetProperty("quote").GetString());
        using (var output = new StringWriter())
        using (var error = new StringWriter())
        {
            var code = await VerifyQuoteCommand.RunAsync(quoteHex, dev.StateDirectory, Stream.Null, output, error, CancellationToken.None);
            Assert.True(code == 0, output + error.ToString());
            using var verdict = JsonDocument.Parse(output.ToString());
            Assert.Equal("1234" + new string('0', 124), verdict.RootElement.GetProperty("report_data").GetString());
        }

        var events = EventLogJson.Deserialize(quoteJson.RootElement.GetProperty("event_log").GetString()!);
        Assert.Equal(BootOrder, events.Where(e => e.IsRuntimeEvent).Select(e => e.Event));
        Assert.Equal(composeHash[..40], Convert.ToHexStringLower(events.Single(e => e.Event == "app-id").EventPayload));
        Assert.Equal(composeHash, Convert.ToHexStringLower(events.Single(e => e.Event == "compose-hash").EventPayload));
        Assert.Equal(expectedInstanceId, Convert.ToHexStringLower(events.Single(e => e.Event == "instance-id").EventPayload));
        Assert.Equal("ext4", Encoding.UTF8.GetString(events.Single(e => e.Event == "storage-fs").EventPayload));
        var osImageHash = Convert.ToHexStringLower(events.Single(e => e.Event == "os-image-hash").EventPayload);
        Assert.Equal(64, osImageHash.Length);
        Assert.Equal(root.GetProperty("os_image_hash").GetString(), osImageHash);

        Assert.Equal(0, await dev.StopAsync());
        Assert.False(File.Exists(dev.DstackSocket));
        Assert.False(File.Exists(dev.TappdSocket));
    }

    [Fact]
    public async Task A_restart_keeps_the_identity_keys_and_registers_and_never_re_emits_boot_events()
    {
        await using var dev = await DevAgent.StartAsync();
        var key1 = await RawHttp.PostJsonAsync(dev.DstackSocket, "/GetKey", "{\"path\":\"wallet\",\"purpose\":\"signing\"}");
        var info1 = await RawHttp.SendAsync(dev.DstackSocket, RawHttp.Request("GET", "/Info"));
        var chain1 = JsonDocument.Parse(info1.Body).RootElement.GetProperty("app_cert").GetString()!.Split("\n\n")[1];
        var rtmr3 = JsonDocument.Parse(JsonDocument.Parse(info1.Body).RootElement.GetProperty("tcb_info").GetString()!).RootElement.GetProperty("rtmr3").GetString();
        await dev.StopAsync();

        await dev.StartAgainAsync();
        Assert.Contains("already booted (boot events are not emitted again)", dev.Output, StringComparison.Ordinal);
        var key2 = await RawHttp.PostJsonAsync(dev.DstackSocket, "/GetKey", "{\"path\":\"wallet\",\"purpose\":\"signing\"}");
        Assert.Equal(key1.BodyText, key2.BodyText);
        var info2 = await RawHttp.SendAsync(dev.DstackSocket, RawHttp.Request("GET", "/Info"));
        using var info2Json = JsonDocument.Parse(info2.Body);
        Assert.Equal(chain1, info2Json.RootElement.GetProperty("app_cert").GetString()!.Split("\n\n")[1]); // same app CA certificate
        Assert.Equal(rtmr3, JsonDocument.Parse(info2Json.RootElement.GetProperty("tcb_info").GetString()!).RootElement.GetProperty("rtmr3").GetString());
        var lines = await File.ReadAllLinesAsync(Path.Combine(dev.StateDirectory, RuntimeEventLog.FileName));
        Assert.Equal(BootOrder.Length, lines.Length);
    }

    [Fact]
    public async Task Dev_keys_form_a_signature_chain_to_the_dev_kms_root()
    {
        await using var dev = await DevAgent.StartAsync();
        var response = await RawHttp.PostJsonAsync(dev.DstackSocket, "/GetKey", "{\"path\":\"p\",\"purpose\":\"signing\",\"algorithm\":\"secp256k1\"}");
        using var json = JsonDocument.Parse(response.Body);
        var key = Convert.FromHexString(json.RootElement.GetProperty("key").GetString()!);
        var chain = json.RootElement.GetProperty("signature_chain").EnumerateArray().Select(e => Convert.FromHexString(e.GetString()!)).ToList();
        var secp = LibSecp256k1.Instance;
        var publicKey = new byte[33];
        secp.GetPublicKey(key, publicKey);

        var state = DevState.Prepare(dev.StateDirectory);
        var material = DevKeyMaterial.Derive(state.KeySeed, state.AppId, state.InstanceId, secp);
        var appRoot = SignatureChainVerifier.Verify(secp, "signing", publicKey, chain[0], chain[1], state.AppId, material.KmsRootPublicKey);
        Assert.NotNull(appRoot);
        var expectedRoot = new byte[33];
        secp.GetPublicKey(material.App.K256Key.Span, expectedRoot);
        Assert.Equal(expectedRoot, appRoot);
    }

    [Fact]
    public async Task Dev_refuses_an_app_compose_changed_after_boot()
    {
        await using var dev = await DevAgent.StartAsync();
        await dev.StopAsync();
        await File.WriteAllTextAsync(Path.Combine(dev.StateDirectory, DevState.ComposeFileName), "{\"manifest_version\":2,\"name\":\"other\",\"runner\":\"bash\"}");
        var error = await Assert.ThrowsAsync<InvalidOperationException>(dev.StartAgainAsync);
        Assert.Contains("changed after this state directory booted", error.Message, StringComparison.Ordinal);
    }
}
