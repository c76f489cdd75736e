using System.Text.Json;
using Dstack.Attestation.EventLog;
using Dstack.Attestation.Simulation;
using Dstack.EndToEnd.Tests.Support;
using Dstack.Rpc;
using Dstack.Rpc.Kms;
using Dstack.Tests;

namespace Dstack.EndToEnd.Tests;

/// <summary>
/// The refusal matrix's on-chain rows: a real KMS process whose policy is a <c>DstackKms</c> contract that
/// <c>dstack-gov deploy-kms</c> deployed on a real anvil node refuses an app that is not registered there, and refuses with
/// "authorization backend unavailable" (fail closed, nothing released) once the chain cannot be reached.
/// </summary>
public sealed class ChainRefusalTests : IAsyncLifetime, IDisposable
{
    private const string GovDllVariable = "DSTACK_GOV_DLL";

    private SimulatedPlatform _platform = null!;
    private AnvilProcess _anvil = null!;
    private KmsProcess _kms = null!;
    private SimulatedTd _caller = null!;

    public async Task InitializeAsync()
    {
        _platform = new SimulatedPlatform();
        _anvil = await AnvilProcess.StartAsync();
        var keyFile = Path.Combine(_platform.Root, "deployer.key");
        await File.WriteAllTextAsync(keyFile, AnvilProcess.DevKeys[0] + "\n");
        File.SetUnixFileMode(keyFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        await using var gov = DotnetProcess.Start(
            "dstack-gov",
            DotnetProcess.BuildOutputPath("Dstack.Gov", "dstack-gov.dll", GovDllVariable),
            ["deploy-kms", "--rpc", _anvil.Endpoint.ToString(), "--chain-id", _anvil.ChainId.ToString(System.Globalization.CultureInfo.InvariantCulture), "--key-file", keyFile, "--json"],
            GovDllVariable);
        Assert.True(await gov.WaitForExitAsync(TimeSpan.FromSeconds(120)) == 0, gov.Output);
        var output = gov.Output;
        using var deployed = JsonDocument.Parse(output[output.IndexOf('{', StringComparison.Ordinal)..(output.LastIndexOf('}') + 1)]);
        var contract = deployed.RootElement.GetProperty("kms").GetString()!;

        var node = await KmsNode.CreateAsync(_platform, "kms-chain");
        node.ConfigureOnChain(_anvil.Endpoint, _anvil.ChainId, contract);
        _kms = await node.StartAsync();

        _caller = SimulatedTd.Open(_platform.NewTdDirectory(Path.Combine(_platform.Root, "caller-td")));
        await _caller.Events.EmitAsync("system-preparing", Array.Empty<byte>(), CancellationToken.None);
        await _caller.Events.EmitAsync("app-id", E2eApp.AppIdOf(E2eApp.Compose), CancellationToken.None);
        await _caller.Events.EmitAsync("compose-hash", E2eApp.ComposeHashOf(E2eApp.Compose), CancellationToken.None);
        await _caller.Events.EmitAsync("instance-id", Enumerable.Repeat((byte)0x33, 20).ToArray(), CancellationToken.None);
        await _caller.Events.EmitAsync(AppInfoCalculator.BootMrDone, Array.Empty<byte>(), CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        _caller?.Dispose();
        if (_kms is not null)
        {
            await _kms.DisposeAsync();
        }

        if (_anvil is not null)
        {
            await _anvil.DisposeAsync();
        }
    }

    public void Dispose() => _platform?.Dispose();

    [Fact]
    public async Task An_unregistered_app_is_refused_by_the_contract_and_an_unreachable_chain_fails_closed()
    {
        var unregistered = await RefusedAsync();
        await _anvil.StopAsync();
        var unreachable = await RefusedAsync();

        Assert.Equal(StatusCode.PermissionDenied, unregistered.StatusCode);
        Assert.Equal("Boot denied: App not registered", unregistered.Detail);
        Assert.Equal(StatusCode.Unavailable, unreachable.StatusCode);
        Assert.StartsWith("Boot denied: authorization backend unavailable", unreachable.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain("released keys", _kms.Output, StringComparison.Ordinal);
    }

    private async Task<RpcException> RefusedAsync()
    {
        GetTempCaCertResponse temp;
        using (var plain = KmsNode.Connect(_kms))
        {
            temp = await plain.Client.GetTempCaCertAsync(KmsConnection.Deadline());
        }

        using var certificate = await RaTlsCaller.CreateCertificateAsync(_caller, E2eApp.VmConfig, tempCa: (temp.TempCaCert, temp.TempCaKey));
        using var connection = KmsNode.Connect(_kms, certificate);
        return await Assert.ThrowsAsync<RpcException>(() => connection.Client.GetAppKeyAsync(new GetAppKeyRequest { ApiVersion = 1, VmConfig = E2eApp.VmConfig }, KmsConnection.Deadline()));
    }
}
