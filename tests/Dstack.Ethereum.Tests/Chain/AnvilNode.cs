using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Dstack.Ethereum.Rpc;
using Dstack.Tests;

namespace Dstack.Ethereum.Tests.Chain;

/// <summary>A real anvil node (npm <c>@foundry-rs/anvil-linux-amd64</c>) on a free loopback port, killed on dispose.</summary>
public sealed class AnvilNode : IAsyncDisposable
{
    /// <summary>Anvil's well-known dev keys (mnemonic "test test … junk"), accounts 0–2.</summary>
    public static readonly string[] DevKeys =
    [
        "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
        "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
        "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
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

    public static string ExecutablePath => Path.Combine(SharedFiles.RepositoryRoot, "tests", "node_modules", ".bin", "anvil");

    public static async Task<AnvilNode> StartAsync()
    {
        if (!File.Exists(ExecutablePath))
        {
            throw new InvalidOperationException("anvil not installed: run `npm ci` in tests/ (see test.sh)");
        }

        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
        }

        var start = new ProcessStartInfo(ExecutablePath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "--host", "127.0.0.1", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--chain-id", "31337", "--quiet" })
        {
            start.ArgumentList.Add(arg);
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
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (process.HasExited)
            {
                await node.DisposeAsync();
                throw new InvalidOperationException("anvil exited with code " + process.ExitCode);
            }

            try
            {
                if (await rpc.GetChainIdAsync() == 31337)
                {
                    return node;
                }
            }
            catch (EthereumTransportException) when (deadline.Elapsed < TimeSpan.FromSeconds(30))
            {
                await Task.Delay(100);
            }
        }
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
