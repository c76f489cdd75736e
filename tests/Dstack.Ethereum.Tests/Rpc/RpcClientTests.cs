using System.Net;
using System.Net.Sockets;
using System.Numerics;
using Dstack.Ethereum.Abi;
using Dstack.Ethereum.Contracts;
using Dstack.Ethereum.Rpc;
using Dstack.Ethereum.Tests.Chain;
using Dstack.Ethereum.Transactions;

namespace Dstack.Ethereum.Tests.Rpc;

public sealed class RpcClientTests(AnvilFixture anvil) : IClassFixture<AnvilFixture>
{
    private EthereumRpcClient Rpc => anvil.Node.Rpc;

    private static Uri DeadEndpoint()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return new Uri($"http://127.0.0.1:{port}/");
    }

    [Fact]
    public async Task Basic_reads_work()
    {
        Assert.Equal(31337UL, await Rpc.GetChainIdAsync());
        using var signer = Signer.FromHex(AnvilNode.DevKeys[2]);
        Assert.True(await Rpc.GetBalanceAsync(signer.Address, BlockTag.Latest) > 0);
        Assert.True(await Rpc.GetGasPriceAsync() > 0);
        Assert.True(await Rpc.GetMaxPriorityFeePerGasAsync() >= 0);
        var block = await Rpc.GetBlockAsync(BlockTag.Latest);
        Assert.NotNull(block);
        Assert.NotNull(block.BaseFeePerGas);
        Assert.Equal(32, block.Hash.Length);
        Assert.NotNull(await Rpc.GetBlockAsync(BlockTag.Finalized));
        Assert.NotNull(await Rpc.GetBlockAsync(BlockTag.Safe));
        Assert.Null(await Rpc.GetBlockAsync(BlockTag.AtNumber(1_000_000_000)));
        Assert.Empty(await Rpc.GetCodeAsync(signer.Address, BlockTag.Latest));
        Assert.Equal(21000UL, await Rpc.EstimateGasAsync(new CallRequest { From = signer.Address, To = signer.Address, Value = 1 }));
    }

    [Fact]
    public async Task Our_signed_transaction_hash_is_the_one_anvil_reports_and_mines()
    {
        using var signer = Signer.FromHex(AnvilNode.DevKeys[2]);
        var recipient = new EvmAddress(System.Security.Cryptography.RandomNumberGenerator.GetBytes(20));
        var block = await Rpc.GetBlockAsync(BlockTag.Latest);
        var tx = new Eip1559Transaction
        {
            ChainId = 31337,
            Nonce = await Rpc.GetTransactionCountAsync(signer.Address, BlockTag.Pending),
            MaxPriorityFeePerGas = 1_000_000_000,
            MaxFeePerGas = (block!.BaseFeePerGas!.Value * 2) + 1_000_000_000,
            GasLimit = 21_000,
            To = recipient,
            Value = 12345,
        }.Sign(signer);
        var reported = await Rpc.SendRawTransactionAsync(tx.Raw);
        Assert.Equal(tx.Hash, reported);
        var receipt = await Rpc.WaitForReceiptAsync(tx.Hash);
        Assert.True(receipt.Succeeded);
        Assert.Equal(signer.Address, receipt.From);
        Assert.Equal(new BigInteger(12345), await Rpc.GetBalanceAsync(recipient, BlockTag.Latest));
        Assert.Equal(BigInteger.Zero, await Rpc.GetBalanceAsync(recipient, BlockTag.AtNumber(receipt.BlockNumber - 1)));
    }

    [Fact]
    public async Task A_transaction_that_fails_on_chain_has_status_zero()
    {
        using var signer = Signer.FromHex(AnvilNode.DevKeys[2]);
        using var sender = await TransactionSender.CreateAsync(Rpc, signer, 31337);
        var kms = await DstackKmsContract.DeployAsync(sender, signer.Address, EvmAddress.Zero);
        var block = await Rpc.GetBlockAsync(BlockTag.Latest);
        var tx = new Eip1559Transaction
        {
            ChainId = 31337,
            Nonce = await Rpc.GetTransactionCountAsync(signer.Address, BlockTag.Pending),
            MaxPriorityFeePerGas = 1_000_000_000,
            MaxFeePerGas = (block!.BaseFeePerGas!.Value * 2) + 1_000_000_000,
            GasLimit = 200_000,
            To = kms.Address,
            Data = DstackKmsContract.Abi.GetFunction("registerApp(address)").EncodeCall(EvmAddress.Zero),
        }.Sign(signer);
        await Rpc.SendRawTransactionAsync(tx.Raw);
        var receipt = await Rpc.WaitForReceiptAsync(tx.Hash);
        Assert.False(receipt.Succeeded);
    }

    [Fact]
    public async Task Json_rpc_errors_are_typed_with_code_and_message()
    {
        var ex = await Assert.ThrowsAsync<EthereumRpcException>(() => Rpc.RequestAsync("eth_noSuchMethod", [], CancellationToken.None));
        Assert.Equal("eth_noSuchMethod", ex.Method);
        Assert.NotEqual(0, ex.Code);
        Assert.Null(ex.RevertData);
    }

    [Fact]
    public async Task Unreachable_endpoint_is_a_transport_error()
    {
        using var http = new HttpClient();
        var client = new EthereumRpcClient(http, DeadEndpoint(), new EthereumRpcOptions { RequestTimeout = TimeSpan.FromSeconds(5) });
        var ex = await Assert.ThrowsAsync<EthereumTransportException>(() => client.GetChainIdAsync());
        Assert.Contains("eth_chainId", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Non_json_rpc_http_answer_is_a_transport_error()
    {
        using var listener = new HttpListener();
        var port = DeadEndpoint().Port;
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        var serve = Task.Run(async () =>
        {
            var context = await listener.GetContextAsync();
            context.Response.StatusCode = 502;
            context.Response.Close();
        });
        using var http = new HttpClient();
        var client = new EthereumRpcClient(http, new Uri($"http://127.0.0.1:{port}/"), new EthereumRpcOptions { RequestTimeout = TimeSpan.FromSeconds(5) });
        var ex = await Assert.ThrowsAsync<EthereumTransportException>(() => client.GetBlockNumberAsync());
        Assert.Contains("HTTP 502", ex.Message, StringComparison.Ordinal);
        await serve;
    }

    [Fact]
    public async Task Failover_moves_to_the_next_endpoint()
    {
        using var http = new HttpClient();
        var client = new EthereumRpcClient(http, [DeadEndpoint(), anvil.Node.Endpoint], new EthereumRpcOptions { RequestTimeout = TimeSpan.FromSeconds(5) });
        Assert.Equal(31337UL, await client.GetChainIdAsync());
        var allDead = new EthereumRpcClient(http, [DeadEndpoint(), DeadEndpoint()], new EthereumRpcOptions { RequestTimeout = TimeSpan.FromSeconds(5) });
        var ex = await Assert.ThrowsAsync<EthereumTransportException>(() => allDead.GetChainIdAsync());
        Assert.Contains("all 2 RPC endpoints failed", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Wrong_chain_id_is_refused_at_start()
    {
        using var signer = Signer.FromHex(AnvilNode.DevKeys[2]);
        await Assert.ThrowsAsync<InvalidOperationException>(() => TransactionSender.CreateAsync(Rpc, signer, expectedChainId: 1));
    }

    [Fact]
    public async Task Waiting_for_a_receipt_honours_cancellation_and_its_timeout()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Rpc.WaitForReceiptAsync(new byte[32], cancelled.Token));

        using var http = new HttpClient();
        var impatient = new EthereumRpcClient(http, anvil.Node.Endpoint, new EthereumRpcOptions
        {
            ReceiptPollInterval = TimeSpan.FromMilliseconds(10),
            ReceiptTimeout = TimeSpan.Zero,
        });
        await Assert.ThrowsAsync<TimeoutException>(() => impatient.WaitForReceiptAsync(new byte[32]));
    }

    [Fact]
    public async Task Anvil_helpers_move_time_mine_and_fund()
    {
        var before = await Rpc.GetBlockAsync(BlockTag.Latest);
        await Rpc.IncreaseTimeAsync(3600);
        await Rpc.MineAsync();
        var after = await Rpc.GetBlockAsync(BlockTag.Latest);
        Assert.Equal(before!.Number + 1, after!.Number);
        Assert.True(after.Timestamp >= before.Timestamp + 3600);

        var account = new EvmAddress(System.Security.Cryptography.RandomNumberGenerator.GetBytes(20));
        await Rpc.SetBalanceAsync(account, 5);
        Assert.Equal(new BigInteger(5), await Rpc.GetBalanceAsync(account, BlockTag.Latest));
    }

    [Fact]
    public async Task Logs_can_be_filtered_by_topic()
    {
        using var signer = Signer.FromHex(AnvilNode.DevKeys[2]);
        using var sender = await TransactionSender.CreateAsync(Rpc, signer, 31337);
        var implementation = await DstackAppContract.DeployImplementationAsync(sender);
        var kms = await DstackKmsContract.DeployAsync(sender, signer.Address, implementation);
        var first = ChainFixture.RandomHash();
        await kms.AddOsImageHashAsync(first);
        await kms.AddOsImageHashAsync(ChainFixture.RandomHash());
        var topic = DstackKmsContract.Abi.GetEvent("PolicyChanged").Topic;
        var logs = await Rpc.GetLogsAsync(new LogFilter
        {
            Addresses = [kms.Address],
            Topics = [[topic], null, [AbiSignature.Hash("os-image")], [first]],
        });
        var log = Assert.Single(logs);
        Assert.Equal(kms.Address, log.Address);
        Assert.Equal(first, log.Topics[3]);
    }
}
