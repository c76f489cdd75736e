using System.Diagnostics;
using Dstack.Ethereum.Contracts;
using Dstack.Tests;

namespace Dstack.Ethereum.Tests.Contracts;

public sealed class ArtifactTests
{
    [Fact]
    public async Task Committed_artifacts_match_a_fresh_solc_build()
    {
        var script = Path.Combine(SharedFiles.RepositoryRoot, "src", "contracts", "build.js");
        var start = new ProcessStartInfo("node") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add(script);
        start.ArgumentList.Add("--check");
        using var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        _ = process.StandardOutput.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, "src/contracts/artifacts are stale; run `node src/contracts/build.js`: " + await stderr);
    }

    [Theory]
    [InlineData("initialize(address,address)", "485cc955")]
    [InlineData("supportsInterface(bytes4)", "01ffc9a7")]
    [InlineData("setKmsInfo((bytes,bytes,bytes,bytes))", "7d025352")]
    [InlineData("setKmsQuote(bytes)", "18c1ecb2")]
    [InlineData("setKmsEventlog(bytes)", "736ede7a")]
    [InlineData("setGatewayAppId(string)", "3971db27")]
    [InlineData("registerApp(address)", "17a1d80f")]
    [InlineData("setAppImplementation(address)", "3ceaaa11")]
    [InlineData("deployAndRegisterApp(address,bool,bool,bool,bytes32,bytes32)", "9cb9c31f")]
    [InlineData("deployAndRegisterApp(address,bool,bool,bytes32,bytes32)", "8618169d")]
    [InlineData("addKmsAggregatedMr(bytes32)", "3e32d346")]
    [InlineData("removeKmsAggregatedMr(bytes32)", "2adee48d")]
    [InlineData("addKmsDevice(bytes32)", "4d5922a1")]
    [InlineData("removeKmsDevice(bytes32)", "9e6f3114")]
    [InlineData("addOsImageHash(bytes32)", "06a3ae96")]
    [InlineData("removeOsImageHash(bytes32)", "9425bac6")]
    [InlineData("isKmsAllowed((address,bytes32,address,bytes32,bytes32,bytes32,bytes32,string,string[]))", "e067ec9d")]
    [InlineData("isAppAllowed((address,bytes32,address,bytes32,bytes32,bytes32,bytes32,string,string[]))", "1e079198")]
    [InlineData("kmsInfo()", "09177063")]
    [InlineData("gatewayAppId()", "95f51931")]
    [InlineData("registeredApps(address)", "a6c4cce9")]
    [InlineData("kmsAllowedAggregatedMrs(bytes32)", "f6fe4f40")]
    [InlineData("kmsAllowedDeviceIds(bytes32)", "13eb9770")]
    [InlineData("allowedOsImages(bytes32)", "9a4e1d18")]
    [InlineData("appImplementation()", "25a992da")]
    [InlineData("owner()", "8da5cb5b")]
    [InlineData("pendingOwner()", "e30c3978")]
    [InlineData("transferOwnership(address)", "f2fde38b")]
    [InlineData("acceptOwnership()", "79ba5097")]
    [InlineData("renounceOwnership()", "715018a6")]
    [InlineData("upgradeToAndCall(address,bytes)", "4f1ef286")]
    [InlineData("proxiableUUID()", "52d1902d")]
    [InlineData("UPGRADE_INTERFACE_VERSION()", "ad3cb1cc")]
    public void DstackKms_has_the_reference_function(string signature, string selector) =>
        Assert.Equal(selector, Convert.ToHexStringLower(ContractArtifact.DstackKms.Abi.GetFunction(signature).Selector));

    [Theory]
    [InlineData("initialize(address,bool,bool,bytes32,bytes32)", "187515ca")]
    [InlineData("initialize(address,bool,bool,bool,bytes32,bytes32)", "9ed28193")]
    [InlineData("version()", "54fd4d50")]
    [InlineData("addComposeHash(bytes32)", "dfc77223")]
    [InlineData("removeComposeHash(bytes32)", "67b3f22c")]
    [InlineData("addDevice(bytes32)", "2a819728")]
    [InlineData("removeDevice(bytes32)", "1d266200")]
    [InlineData("setAllowAnyDevice(bool)", "7c4beeb8")]
    [InlineData("setRequireTcbUpToDate(bool)", "6e4c7422")]
    [InlineData("disableUpgrades()", "ec669036")]
    [InlineData("isAppAllowed((address,bytes32,address,bytes32,bytes32,bytes32,bytes32,string,string[]))", "1e079198")]
    [InlineData("allowedComposeHashes(bytes32)", "2f6622e5")]
    [InlineData("allowedDeviceIds(bytes32)", "bf8b211b")]
    [InlineData("allowAnyDevice()", "3440a16a")]
    [InlineData("requireTcbUpToDate()", "0aa58c83")]
    public void DstackApp_has_the_reference_function(string signature, string selector) =>
        Assert.Equal(selector, Convert.ToHexStringLower(ContractArtifact.DstackApp.Abi.GetFunction(signature).Selector));

    [Fact]
    public void Interface_ids_are_the_reference_ones()
    {
        var isAppAllowed = ContractArtifact.DstackApp.Abi.GetFunction("isAppAllowed").Selector;
        Assert.Equal("1e079198", Convert.ToHexStringLower(isAppAllowed));
        var management = new[] { "addComposeHash(bytes32)", "removeComposeHash(bytes32)", "addDevice(bytes32)", "removeDevice(bytes32)" }
            .Select(s => ContractArtifact.DstackApp.Abi.GetFunction(s).Selector)
            .Aggregate(new byte[4], (acc, sel) => acc.Zip(sel, (a, b) => (byte)(a ^ b)).ToArray());
        Assert.Equal("8fd37527", Convert.ToHexStringLower(management));
    }

    [Theory]
    [InlineData("DstackKms", "AppRegistered(address)")]
    [InlineData("DstackKms", "KmsInfoSet(bytes)")]
    [InlineData("DstackKms", "KmsAggregatedMrAdded(bytes32)")]
    [InlineData("DstackKms", "KmsAggregatedMrRemoved(bytes32)")]
    [InlineData("DstackKms", "KmsDeviceAdded(bytes32)")]
    [InlineData("DstackKms", "KmsDeviceRemoved(bytes32)")]
    [InlineData("DstackKms", "OsImageHashAdded(bytes32)")]
    [InlineData("DstackKms", "OsImageHashRemoved(bytes32)")]
    [InlineData("DstackKms", "GatewayAppIdSet(string)")]
    [InlineData("DstackKms", "AppImplementationSet(address)")]
    [InlineData("DstackKms", "AppDeployedViaFactory(address,address)")]
    [InlineData("DstackKms", "PolicyChanged(address,bytes32,bytes32,bool)")]
    [InlineData("DstackKms", "OwnershipTransferStarted(address,address)")]
    [InlineData("DstackKms", "OwnershipTransferred(address,address)")]
    [InlineData("DstackKms", "Upgraded(address)")]
    [InlineData("DstackKms", "Initialized(uint64)")]
    [InlineData("DstackApp", "ComposeHashAdded(bytes32)")]
    [InlineData("DstackApp", "ComposeHashRemoved(bytes32)")]
    [InlineData("DstackApp", "DeviceAdded(bytes32)")]
    [InlineData("DstackApp", "DeviceRemoved(bytes32)")]
    [InlineData("DstackApp", "AllowAnyDeviceSet(bool)")]
    [InlineData("DstackApp", "RequireTcbUpToDateSet(bool)")]
    [InlineData("DstackApp", "UpgradesDisabled()")]
    [InlineData("DstackApp", "PolicyChanged(address,bytes32,bytes32,bool)")]
    public void Reference_events_are_declared(string contract, string signature)
    {
        var abi = contract == "DstackKms" ? ContractArtifact.DstackKms.Abi : ContractArtifact.DstackApp.Abi;
        Assert.Contains(abi.Events, e => e.Signature == signature);
    }

    [Fact]
    public void Event_indexing_matches_the_reference()
    {
        var factory = ContractArtifact.DstackKms.Abi.GetEvent("AppDeployedViaFactory");
        Assert.All(factory.Inputs, i => Assert.True(i.Indexed));
        var registered = ContractArtifact.DstackKms.Abi.GetEvent("AppRegistered");
        Assert.False(registered.Inputs[0].Indexed);
        var policy = ContractArtifact.DstackKms.Abi.GetEvent("PolicyChanged");
        Assert.Equal([true, true, true, false], policy.Inputs.Select(i => i.Indexed).ToArray());
        Assert.All(ContractArtifact.DstackApp.Abi.GetEvent("ComposeHashAdded").Inputs, i => Assert.False(i.Indexed));
    }

    [Fact]
    public async Task Boot_info_call_encoding_matches_viem()
    {
        var bootInfo = new AppBootInfo
        {
            AppId = EvmAddress.Parse("0x5FbDB2315678afecb367f032d93F642f64180aa3"),
            ComposeHash = Enumerable.Repeat((byte)0x11, 32).ToArray(),
            DeviceId = Enumerable.Repeat((byte)0x22, 32).ToArray(),
            MrAggregated = Enumerable.Repeat((byte)0x33, 32).ToArray(),
            MrSystem = Enumerable.Repeat((byte)0x44, 32).ToArray(),
            OsImageHash = Enumerable.Repeat((byte)0x55, 32).ToArray(),
            TcbStatus = "OutOfDate",
            AdvisoryIds = ["INTEL-SA-00837", "INTEL-SA-01036"],
        };
        var function = ContractArtifact.DstackKms.Abi.GetFunction("isAppAllowed");
        var ours = Dstack.Ethereum.Hex.Format(function.EncodeCall((object?)bootInfo.ToAbiValue()));
        var theirs = await NodeScript.RunAsync(
            """
            const { encodeFunctionData } = require('viem');
            const abi = JSON.parse(process.argv[1]);
            const b = (x) => '0x' + x.repeat(32);
            console.log(encodeFunctionData({ abi, functionName: 'isAppAllowed', args: [{
              appId: '0x5FbDB2315678afecb367f032d93F642f64180aa3', composeHash: b('11'),
              instanceId: '0x0000000000000000000000000000000000000000', deviceId: b('22'), mrAggregated: b('33'),
              mrSystem: b('44'), osImageHash: b('55'), tcbStatus: 'OutOfDate', advisoryIds: ['INTEL-SA-00837', 'INTEL-SA-01036'] }] }));
            """,
            ContractArtifact.DstackKms.AbiJson);
        Assert.Equal(theirs, ours);
        var decoded = (object?[])function.DecodeCall(Dstack.Ethereum.Hex.Parse(ours))[0]!;
        Assert.Equal(new object[] { "INTEL-SA-00837", "INTEL-SA-01036" }, (object?[])decoded[8]!);
    }
}
