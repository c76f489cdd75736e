using System.Net;
using System.Net.Sockets;
using Dstack.Ethereum;
using Dstack.Kms.Policies;
using Dstack.Kms.Service;
using Dstack.Tests;

namespace Dstack.Kms.Tests.OnChain;

/// <summary>
/// Whatever goes wrong with the chain, nothing is released and the reason is "authorization backend unavailable": a bed
/// whose chain is broken from the start already fails its own self-authorization ("KMS not allowed: …"); a bed whose
/// chain breaks later fails the caller's decision ("Boot denied: …").
/// </summary>
public sealed class OnChainFailClosedTests(OnChainFixture fixture) : IClassFixture<OnChainFixture>
{
    private const string Unavailable = "Boot denied: authorization backend unavailable";
    private const string SelfUnavailable = "KMS not allowed: authorization backend unavailable";

    private OnChainDeployment Chain => fixture.Chain;

    private static Uri DeadUrl() => new($"http://127.0.0.1:{TcpPorts.GetFree()}/");

    private static async Task<(byte[] Image, byte[] ComposeHash, EvmAddress AppId)> AllowedAppAsync(OnChainDeployment chain)
    {
        var image = OnChainDeployment.RandomHash();
        await chain.Kms.AddOsImageHashAsync(image);
        var composeHash = OnChainDeployment.RandomHash();
        var app = await chain.DeployAppAsync(allowAnyDevice: true, initialComposeHash: composeHash);
        return (image, composeHash, app.Address);
    }

    private static void AssertUnavailable<T>(KmsResult<T> result, bool selfCheckFailed = false)
        where T : class
    {
        Assert.False(result.IsSuccess);
        Assert.Null(result.Value);
        Assert.Equal(KmsRefusalKind.BackendUnavailable, result.Refusal?.Kind);
        Assert.Equal(selfCheckFailed ? SelfUnavailable : Unavailable, result.Refusal?.Reason);
    }

    [Fact]
    public async Task A_stopped_node_refuses_apps_and_kms_instances()
    {
        await using var chain = await OnChainDeployment.StartAsync();
        var (image, composeHash, appId) = await AllowedAppAsync(chain);
        using var bed = await OnChainTestBed.CreateAsync([chain.Anvil.Endpoint], chain.Kms.Address, appId, composeHash, register: chain.Kms);
        var whileUp = await bed.GetAppKeyAsync(image);

        await chain.Anvil.StopAsync();
        var app = await bed.GetAppKeyAsync(image);
        var kms = await bed.GetKmsKeyAsync(image);
        var meta = await bed.Service.GetMetaAsync(CancellationToken.None);

        Assert.True(whileUp.IsSuccess, whileUp.Refusal?.Reason);
        AssertUnavailable(app);
        AssertUnavailable(kms);
        Assert.Equal(KmsRefusalKind.BackendUnavailable, meta.Refusal?.Kind);
        var failure = bed.Log.Entries.Last(e => e.EventId == 63 && e.Message.StartsWith("On-chain isKmsAllowed", StringComparison.Ordinal)).Message;
        Assert.StartsWith($"On-chain isKmsAllowed for {Convert.ToHexStringLower(appId.ToArray())} failed, refusing with 'authorization backend unavailable': ", failure, StringComparison.Ordinal);
        Assert.Contains("unreachable", failure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_url_refuses_and_a_second_url_is_used_for_failover()
    {
        var (image, composeHash, appId) = await AllowedAppAsync(Chain);
        using var dead = await OnChainTestBed.CreateAsync([DeadUrl()], Chain.Kms.Address, appId, composeHash);
        using var failover = await OnChainTestBed.CreateAsync([DeadUrl(), Chain.Anvil.Endpoint], Chain.Kms.Address, appId, composeHash);

        AssertUnavailable(await dead.GetAppKeyAsync(image), selfCheckFailed: true);
        var result = await failover.GetAppKeyAsync(image);
        Assert.True(result.IsSuccess, result.Refusal?.Reason);
    }

    [Fact]
    public async Task A_node_that_never_answers_times_out_and_refuses()
    {
        var (image, composeHash, appId) = await AllowedAppAsync(Chain);
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start(); // accepts connections (backlog) and never answers
        var url = new Uri($"http://127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}/");
        using var bed = await OnChainTestBed.CreateAsync([url], Chain.Kms.Address, appId, composeHash, timeout: TimeSpan.FromMilliseconds(300));

        AssertUnavailable(await bed.GetAppKeyAsync(image), selfCheckFailed: true);
        Assert.Contains("no answer within", bed.Log.Last(63), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_address_without_code_refuses()
    {
        var (image, composeHash, appId) = await AllowedAppAsync(Chain);
        var empty = new EvmAddress(OnChainDeployment.RandomHash().AsSpan(0, 20));
        using var noCode = await OnChainTestBed.CreateAsync([Chain.Anvil.Endpoint], empty, appId, composeHash);
        using var eoa = await OnChainTestBed.CreateAsync([Chain.Anvil.Endpoint], Chain.Owner.Address, appId, composeHash);

        AssertUnavailable(await noCode.GetAppKeyAsync(image), selfCheckFailed: true);
        AssertUnavailable(await eoa.GetAppKeyAsync(image), selfCheckFailed: true);
        Assert.Contains("No contract at", noCode.Log.Last(63), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_node_on_another_chain_refuses()
    {
        var (image, composeHash, appId) = await AllowedAppAsync(Chain);
        using var bed = await OnChainTestBed.CreateAsync([Chain.Anvil.Endpoint], Chain.Kms.Address, appId, composeHash, chainId: 1);

        AssertUnavailable(await bed.GetAppKeyAsync(image), selfCheckFailed: true);
        Assert.EndsWith("the RPC node serves chain 31337, not the configured 1", bed.Log.Last(63), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_reverting_app_contract_refuses()
    {
        // the KMS proxy registered as an app: isAppAllowed calls itself until it runs out of gas and reverts
        var (image, _, _) = await AllowedAppAsync(Chain);
        await Chain.Kms.RegisterAppAsync(Chain.Kms.Address);
        using var bed = await OnChainTestBed.CreateAsync([Chain.Anvil.Endpoint], Chain.Kms.Address, Chain.Kms.Address, OnChainDeployment.RandomHash());

        AssertUnavailable(await bed.GetAppKeyAsync(image));
        Assert.Contains("eth_call failed", bed.Log.Last(63), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_head_deeper_than_the_chain_refuses()
    {
        var (image, composeHash, appId) = await AllowedAppAsync(Chain);
        using var bed = await OnChainTestBed.CreateAsync([Chain.Anvil.Endpoint], Chain.Kms.Address, appId, composeHash, blockTag: "head-1000000");

        AssertUnavailable(await bed.GetAppKeyAsync(image), selfCheckFailed: true);
        Assert.Contains("is below the configured depth 1000000", bed.Log.Last(63), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_up_check_rejects_a_wrong_chain_no_answer_and_no_code()
    {
        using var wrongChain = new OnChainPolicy([Chain.Anvil.Endpoint], 1, Chain.Kms.Address, OnChainBlockTag.Parse("latest"), TimeSpan.FromSeconds(5), TimeProvider.System, new CapturingLogger());
        using var noAnswer = new OnChainPolicy([DeadUrl()], 31337, Chain.Kms.Address, OnChainBlockTag.Parse("latest"), TimeSpan.FromSeconds(5), TimeProvider.System, new CapturingLogger());
        using var noCode = new OnChainPolicy([Chain.Anvil.Endpoint], 31337, Chain.Owner.Address, OnChainBlockTag.Parse("latest"), TimeSpan.FromSeconds(5), TimeProvider.System, new CapturingLogger());
        var log = new CapturingLogger();
        using var good = new OnChainPolicy([DeadUrl(), Chain.Anvil.Endpoint], 31337, Chain.Kms.Address, OnChainBlockTag.Parse("latest"), TimeSpan.FromSeconds(5), TimeProvider.System, log);

        var chain = await Assert.ThrowsAsync<PolicyBackendException>(() => wrongChain.CheckAtStartAsync(CancellationToken.None));
        var answer = await Assert.ThrowsAsync<PolicyBackendException>(() => noAnswer.CheckAtStartAsync(CancellationToken.None));
        var code = await Assert.ThrowsAsync<PolicyBackendException>(() => noCode.CheckAtStartAsync(CancellationToken.None));
        await good.CheckAtStartAsync(CancellationToken.None);

        Assert.Equal("Policy:ChainId is 1 but Policy:RpcUrls:0 (127.0.0.1) serves chain 31337; refusing to read governance from the wrong chain", chain.Message);
        Assert.StartsWith("Policy:RpcUrls: no RPC URL answered eth_chainId, so chain 31337 cannot be confirmed", answer.Message, StringComparison.Ordinal);
        Assert.Equal($"Policy:KmsContract: there is no contract at {Chain.Owner.Address} on chain 31337", code.Message);
        Assert.Contains(log.Entries, e => e.EventId == 65 && e.Message.StartsWith("On-chain policy: RPC URL #0 (127.0.0.1) did not answer at start", StringComparison.Ordinal));
        Assert.Contains(log.Entries, e => e.EventId == 66 && e.Message == "On-chain policy: RPC URL #1 (127.0.0.1) serves chain 31337");
    }

    [Fact]
    public async Task Boot_info_that_does_not_fit_the_tuple_is_refused_without_asking_the_chain()
    {
        var (_, composeHash, appId) = await AllowedAppAsync(Chain);
        using var bed = await OnChainTestBed.CreateAsync([Chain.Anvil.Endpoint], Chain.Kms.Address, appId, composeHash);
        var config = "{\"cpu_count\":2}";
        using var cert = await KmsTestBed.CreateCallerCertificateAsync(bed.Caller, config);

        var result = await bed.Service.GetAppKeyAsync(new AppKeyRequest(cert, 1, config), CancellationToken.None);

        Assert.Equal(KmsRefusalKind.Denied, result.Refusal?.Kind);
        Assert.Equal("Boot denied: the OS image hash must be 32 bytes for the on-chain policy, got 0", result.Refusal?.Reason);
    }
}
