using System.Net.Http.Json;
using System.Text.Json;
using Dstack.Crypto.Secp256k1;
using Dstack.Crypto.SignatureChains;
using Dstack.EndToEnd.Tests.Support;
using Dstack.Tests;

namespace Dstack.EndToEnd.Tests;

/// <summary>After the boot, <c>dstack-agent run</c> serves containers keys derived from what the KMS released.</summary>
public sealed class ServingTests : IDisposable
{
    private readonly SimulatedPlatform _platform = new();

    public void Dispose() => _platform.Dispose();

    [Fact]
    public async Task GetKey_on_the_socket_returns_a_signature_chain_that_ends_at_the_kms_root_key()
    {
        var node = await KmsNode.CreateAsync(_platform, "kms");
        node.Configure(PolicyFile.Allowing());
        var vm = new GuestVm(_platform, "vm");
        vm.SetKmsUrls(node.Url);
        byte[] kmsRoot;
        await using (var kms = await node.StartAsync())
        {
            await using var boot = await vm.BootAsync();
            Assert.True(boot.ExitCode == 0, boot.Output);
            using var connection = KmsNode.Connect(kms);
            kmsRoot = (await connection.Client.GetMetaAsync(KmsConnection.Deadline())).K256Pubkey.ToByteArray();
        }

        // the KMS is gone; the daemon serves from the keys file
        await using var agent = AgentProcess.Start("run", vm.ConfigPath);
        await agent.WaitForSocketsAsync([vm.DstackSocketPath, vm.TappdSocketPath], TimeSpan.FromSeconds(30));
        using var http = UnixSocketHttp.Create(vm.DstackSocketPath);
        using var response = await http.PostAsJsonAsync("http://localhost/GetKey", new { path = "e2e/wallet", purpose = "signing", algorithm = "secp256k1" });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        using var json = JsonDocument.Parse(body);
        var key = Convert.FromHexString(json.RootElement.GetProperty("key").GetString()!);
        var chain = json.RootElement.GetProperty("signature_chain").EnumerateArray().Select(e => Convert.FromHexString(e.GetString()!)).ToArray();

        var derivedPublicKey = new byte[Secp256k1Lengths.CompressedPublicKey];
        LibSecp256k1.Instance.GetPublicKey(key, derivedPublicKey);
        Assert.Equal(2, chain.Length);
        Assert.Equal(vm.ReadKeys().K256Signature, chain[1]);
        var appRoot = SignatureChainVerifier.Verify(LibSecp256k1.Instance, "signing", derivedPublicKey, chain[0], chain[1], E2eApp.AppIdOf(E2eApp.Compose), kmsRoot);
        Assert.Equal(KmsSignatureCheck.AppRootPublicKey(vm.ReadKeys()), appRoot);
    }
}
