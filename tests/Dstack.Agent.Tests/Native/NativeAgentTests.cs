using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Dstack.Agent.Cli;
using Dstack.Agent.Dev;
using Dstack.Agent.Tests.Support;
using Dstack.Attestation.EventLog;
using Dstack.Attestation.Quotes;
using Dstack.Crypto.Keys;
using Dstack.Crypto.Secp256k1;
using Dstack.Crypto.SignatureChains;
using Dstack.Tests;

namespace Dstack.Agent.Tests.Native;

/// <summary>
/// The Native AOT <c>dstack-agent</c> (published by test.sh, or on demand into <c>artifacts/native/</c>) runs
/// <c>dev</c> and answers over its Unix socket exactly what the JIT build computes for the same state, so that an AOT
/// break (trimmed metadata, a missing native library, reflection) fails the run.
/// </summary>
public sealed class NativeAgentTests
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Native_dev_agent_serves_keys_quotes_info_and_signatures_over_the_socket()
    {
        var executable = await NativeAgentBinary.GetPathAsync();
        var directory = Directory.CreateDirectory(Path.Combine("/tmp", "nat-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)))).FullName;
        try
        {
            var stateDirectory = Path.Combine(directory, "state");
            var socketDirectory = Path.Combine(directory, "sockets");
            var dstackSocket = Path.Combine(socketDirectory, "dstack.sock");
            var tappdSocket = Path.Combine(socketDirectory, "tappd.sock");
            await using var agent = AgentProcess.StartExecutable(executable, ["dev", "--socket-dir", socketDirectory, "--state-dir", stateDirectory]);
            await agent.WaitForSocketsAsync([dstackSocket, tappdSocket], StartTimeout);

            var state = DevState.Prepare(stateDirectory);
            var material = DevKeyMaterial.Derive(state.KeySeed, state.AppId, state.InstanceId, LibSecp256k1.Instance);
            var expectedKeys = new AppKeyService(material.App.K256Key.Span, material.App.K256Signature.Span, LibSecp256k1.Instance);

            var rtmr3 = await CheckInfoAsync(dstackSocket, state, material);
            await CheckGetKeyAsync(dstackSocket, state, material, expectedKeys);
            await CheckGetQuoteAsync(dstackSocket, stateDirectory, directory, rtmr3);
            await CheckSignAsync(dstackSocket, expectedKeys);

            var tappdInfo = await RawHttp.SendAsync(tappdSocket, RawHttp.Request("GET", "/prpc/Tappd.Info"));
            Assert.Equal(200, tappdInfo.Status);
            Assert.False(agent.HasExited, agent.Output);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task Under_systemd_the_native_agent_notifies_ready_and_stopping_and_logs_for_the_journal()
    {
        var executable = await NativeAgentBinary.GetPathAsync();
        var directory = Directory.CreateDirectory(Path.Combine("/tmp", "nsd-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)))).FullName;
        try
        {
            var notifyPath = Path.Combine(directory, "notify");
            using var notify = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Dgram, System.Net.Sockets.ProtocolType.Unspecified);
            notify.Bind(new System.Net.Sockets.UnixDomainSocketEndPoint(notifyPath));
            var socketDirectory = Path.Combine(directory, "sockets");
            // the package recognises a systemd service by its parent process's name: run the agent as the child of a shell
            // copied to a file named "systemd", which forwards SIGTERM as the service manager would
            var manager = Path.Combine(directory, "systemd");
            File.Copy("/bin/sh", manager);
            File.SetUnixFileMode(manager, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            await using var agent = AgentProcess.StartExecutable(manager, [
                "-c", "export NOTIFY_SOCKET=\"$1\"; shift; trap 'kill -TERM $child' TERM; \"$0\" \"$@\" & child=$!; wait $child; wait $child",
                executable, notifyPath, "dev", "--socket-dir", socketDirectory, "--state-dir", Path.Combine(directory, "state")]);

            var ready = await ReceiveAsync(notify);
            var version = await RawHttp.SendAsync(Path.Combine(socketDirectory, "dstack.sock"), RawHttp.Request("GET", "/Version"));
            using (var term = System.Diagnostics.Process.Start("kill", ["-TERM", agent.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await term.WaitForExitAsync();
            }

            var stopping = await ReceiveAsync(notify);
            var exit = await agent.WaitForExitAsync(StartTimeout);

            Assert.Equal("READY=1", ready);
            Assert.Equal(200, version.Status);
            Assert.Equal("STOPPING=1", stopping);
            Assert.Equal(0, exit);
            // journal-style lines: a syslog priority prefix instead of the console's "info:" (e.g. "<6>Dstack.Agent[…]")
            Assert.Contains("<6>", agent.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("info: ", agent.Output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task<string> ReceiveAsync(System.Net.Sockets.Socket socket)
    {
        var buffer = new byte[256];
        using var timeout = new CancellationTokenSource(StartTimeout);
        var read = await socket.ReceiveAsync(buffer, System.Net.Sockets.SocketFlags.None, timeout.Token);
        return System.Text.Encoding.UTF8.GetString(buffer, 0, read);
    }

    /// <summary>Info names this state's app; returns the RTMR3 it reports.</summary>
    private static async Task<string> CheckInfoAsync(string socket, DevState state, DevKeyMaterial material)
    {
        var response = await RawHttp.SendAsync(socket, RawHttp.Request("GET", "/Info"));
        Assert.Equal(200, response.Status);
        using var json = JsonDocument.Parse(response.Body);
        var info = json.RootElement;
        var composeHash = Convert.ToHexStringLower(SHA256.HashData(state.ComposeBytes));
        Assert.Equal(composeHash, info.GetProperty("compose_hash").GetString());
        Assert.Equal(Convert.ToHexStringLower(state.AppId), info.GetProperty("app_id").GetString());
        Assert.Equal(composeHash[..40], info.GetProperty("app_id").GetString());
        Assert.Equal(Convert.ToHexStringLower(state.InstanceId), info.GetProperty("instance_id").GetString());
        Assert.Equal("dstack-dev-app", info.GetProperty("app_name").GetString());
        Assert.Equal(material.KeyProviderInfo, info.GetProperty("key_provider_info").GetString());
        Assert.StartsWith("-----BEGIN CERTIFICATE-----", info.GetProperty("app_cert").GetString(), StringComparison.Ordinal);

        using var tcbInfo = JsonDocument.Parse(info.GetProperty("tcb_info").GetString()!);
        Assert.Equal(Encoding.UTF8.GetString(state.ComposeBytes), tcbInfo.RootElement.GetProperty("app_compose").GetString());
        var rtmr3 = tcbInfo.RootElement.GetProperty("rtmr3").GetString()!;
        Assert.Equal(96, rtmr3.Length);
        return rtmr3;
    }

    /// <summary>GetKey gives the JIT build's key and chain, and the chain recovers to the dev KMS root.</summary>
    private static async Task CheckGetKeyAsync(string socket, DevState state, DevKeyMaterial material, AppKeyService expectedKeys)
    {
        var response = await RawHttp.PostJsonAsync(socket, "/GetKey", "{\"path\":\"native/wallet\",\"purpose\":\"signing\"}");
        Assert.True(response.Status == 200, response.BodyText);
        using var json = JsonDocument.Parse(response.Body);
        var key = Convert.FromHexString(json.RootElement.GetProperty("key").GetString()!);
        var chain = json.RootElement.GetProperty("signature_chain").EnumerateArray().Select(e => Convert.FromHexString(e.GetString()!)).ToList();

        var expected = expectedKeys.GetKey("native/wallet", "signing", "secp256k1");
        Assert.Equal(expected.Key.ToArray(), key);
        Assert.Equal(expected.SignatureChain.Select(s => Convert.ToHexStringLower(s.Span)), chain.Select(Convert.ToHexStringLower));

        var secp = LibSecp256k1.Instance;
        var publicKey = new byte[33];
        secp.GetPublicKey(key, publicKey);
        var appRoot = SignatureChainVerifier.Verify(secp, "signing", publicKey, chain[0], chain[1], state.AppId, material.KmsRootPublicKey);
        Assert.NotNull(appRoot);
        Assert.Equal(expectedKeys.AppRootPublicKey.ToArray(), appRoot);
    }

    /// <summary>GetQuote carries the report data, its event log replays to the quoted RTMRs, and the quote verifies under the mock root.</summary>
    private static async Task CheckGetQuoteAsync(string socket, string stateDirectory, string directory, string infoRtmr3)
    {
        var reportData = RandomNumberGenerator.GetBytes(40);
        var response = await RawHttp.SendAsync(socket, RawHttp.Request("GET", "/GetQuote?report_data=" + Convert.ToHexStringLower(reportData)));
        Assert.True(response.Status == 200, response.BodyText);
        using var json = JsonDocument.Parse(response.Body);
        var quote = TdxQuote.Parse(Convert.FromHexString(json.RootElement.GetProperty("quote").GetString()!));
        byte[] padded = [.. reportData, .. new byte[24]];
        Assert.Equal(padded, quote.ReportData.ToArray());

        var events = EventLogJson.Deserialize(json.RootElement.GetProperty("event_log").GetString()!);
        var quoted = new RtmrValues(quote.Rtmrs[0].Span, quote.Rtmrs[1].Span, quote.Rtmrs[2].Span, quote.Rtmrs[3].Span);
        var replay = RtmrReplay.Check(events, quoted);
        Assert.True(replay.IsMatch, replay.Describe());
        Assert.Equal(infoRtmr3, quoted.ToHex(3));
        Assert.Contains(events, e => e.IsRuntimeEvent && e.Event == "system-ready");

        // the CLI's check of a saved response: signature under the state's mock DCAP root, then the replay
        var saved = Path.Combine(directory, "quote.json");
        await File.WriteAllBytesAsync(saved, response.Body);
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await ReplayCommand.RunAsync(saved, stateDirectory, Stream.Null, output, error, CancellationToken.None);
        Assert.True(code == 0, output + error.ToString());
        using var verdict = JsonDocument.Parse(output.ToString());
        Assert.True(verdict.RootElement.GetProperty("quote").GetProperty("valid").GetBoolean());
        Assert.True(verdict.RootElement.GetProperty("quote").GetProperty("replay_matches").GetBoolean());
    }

    /// <summary>Sign with both curves (libsecp256k1 and BouncyCastle's ed25519 inside the native binary) verifies.</summary>
    private static async Task CheckSignAsync(string socket, AppKeyService expectedKeys)
    {
        var data = "signed by the native agent"u8.ToArray();
        foreach (var algorithm in new[] { "secp256k1", "ed25519" })
        {
            var request = $"{{\"algorithm\":\"{algorithm}\",\"data\":\"{Convert.ToHexStringLower(data)}\"}}";
            var response = await RawHttp.PostJsonAsync(socket, "/Sign", request);
            Assert.True(response.Status == 200, algorithm + ": " + response.BodyText);
            using var json = JsonDocument.Parse(response.Body);
            var signature = Convert.FromHexString(json.RootElement.GetProperty("signature").GetString()!);
            var publicKey = Convert.FromHexString(json.RootElement.GetProperty("public_key").GetString()!);
            Assert.True(AppKeyService.Verify(LibSecp256k1.Instance, algorithm, data, signature, publicKey), algorithm);

            var expected = expectedKeys.Sign(algorithm, data);
            Assert.Equal(expected.PublicKey.ToArray(), publicKey);
            Assert.Equal(expected.Signature.ToArray(), signature);
        }
    }
}
