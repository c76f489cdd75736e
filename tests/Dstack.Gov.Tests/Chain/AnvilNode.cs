using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Dstack.Ethereum.Rpc;
using Dstack.Tests;

namespace Dstack.Gov.Tests.Chain;

/// <summary>anvil (npm <c>@foundry-rs/anvil-linux-amd64</c>) on a free loopback port; the process tree is killed on dispose.</summary>
public sealed class AnvilNode : IAsyncDisposable
{
    public const ulong ChainId = 31337;

    /// <summary>anvil's deterministic dev keys (the "test test … junk" mnemonic), accounts 0–4.</summary>
    public static readonly string[] DevKeys =
    [
        "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
        "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
        "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
        "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
        "0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a",
    ];

    private readonly Process _process;

    private AnvilNode(Process process, Uri endpoint, HttpClient http, EthereumRpcClient rpc)
    {
        _process = process;
        Endpoint = endpoint;
        Http = http;
        Rpc = rpc;
    }

    public Uri Endpoint { get; }

    public HttpClient Http { get; }

    public EthereumRpcClient Rpc { get; }

    public static async Task<AnvilNode> StartAsync()
    {
        var executable = Path.Combine(SharedFiles.RepositoryRoot, "tests", "node_modules", ".bin", "anvil");
        if (!File.Exists(executable))
        {
            throw new InvalidOperationException("anvil is not installed: run `npm ci` in tests/ (see test.sh)");
        }

        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        var start = new ProcessStartInfo(executable) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "--host", "127.0.0.1", "--port", port.ToString(CultureInfo.InvariantCulture), "--chain-id", ChainId.ToString(CultureInfo.InvariantCulture), "--quiet" })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("anvil did not start");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var endpoint = new Uri($"http://127.0.0.1:{port}/");
        var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var rpc = new EthereumRpcClient(http, endpoint, new EthereumRpcOptions
        {
            RequestTimeout = TimeSpan.FromSeconds(10),
            ReceiptPollInterval = TimeSpan.FromMilliseconds(20),
            ReceiptTimeout = TimeSpan.FromSeconds(30),
        });
        var node = new AnvilNode(process, endpoint, http, rpc);
        var waited = Stopwatch.StartNew();
        while (true)
        {
            if (process.HasExited)
            {
                await node.DisposeAsync();
                throw new InvalidOperationException("anvil exited with code " + process.ExitCode);
            }

            try
            {
                await rpc.GetChainIdAsync();
                return node;
            }
            catch (EthereumTransportException) when (waited.Elapsed < TimeSpan.FromSeconds(30))
            {
                await Task.Delay(100);
            }
        }
    }

    /// <summary>Moves anvil's clock forward and mines a block at the new time.</summary>
    public async Task AdvanceTimeAsync(long seconds)
    {
        await RawAsync("evm_increaseTime", [seconds]);
        await RawAsync("evm_mine", []);
    }

    /// <summary>A JSON-RPC call that the library does not wrap (anvil's test methods).</summary>
    public async Task<JsonNode?> RawAsync(string method, JsonArray parameters)
    {
        var request = new JsonObject { ["jsonrpc"] = "2.0", ["id"] = 1, ["method"] = method, ["params"] = parameters };
        using var response = await Http.PostAsJsonAsync(Endpoint, request);
        var body = await response.Content.ReadFromJsonAsync<JsonObject>() ?? throw new InvalidOperationException(method + ": empty answer");
        if (body["error"] is { } error)
        {
            throw new InvalidOperationException(method + " failed: " + error.ToJsonString());
        }

        return body["result"];
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await _process.WaitForExitAsync(wait.Token);
            }
        }
        catch (InvalidOperationException)
        {
        }
        catch (OperationCanceledException)
        {
        }

        _process.Dispose();
        Http.Dispose();
    }
}
