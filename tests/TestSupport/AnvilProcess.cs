using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Dstack.Tests;

/// <summary>
/// A real anvil node (npm <c>@foundry-rs/anvil-linux-amd64</c>, installed by <c>npm ci</c> in <c>tests/</c>) on a free
/// loopback port, killed on dispose. Speaks raw JSON-RPC only, so it depends on no project of the solution.
/// </summary>
internal sealed class AnvilProcess : IAsyncDisposable
{
    /// <summary>Anvil's default chain id.</summary>
    public const ulong DefaultChainId = 31337;

    /// <summary>Anvil's well-known dev keys (mnemonic "test test … junk"), accounts 0–2.</summary>
    public static readonly string[] DevKeys =
    [
        "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
        "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
        "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
    ];

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private readonly Process _process;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private long _nextId;

    private AnvilProcess(Process process, Uri endpoint, ulong chainId)
    {
        _process = process;
        Endpoint = endpoint;
        ChainId = chainId;
    }

    /// <summary>The JSON-RPC URL.</summary>
    public Uri Endpoint { get; }

    /// <summary>The chain id the node was started with.</summary>
    public ulong ChainId { get; }

    /// <summary>Where <c>npm ci</c> puts the anvil binary.</summary>
    public static string ExecutablePath => Path.Combine(SharedFiles.RepositoryRoot, "tests", "node_modules", ".bin", "anvil");

    /// <summary>Starts anvil and waits until it answers <c>eth_chainId</c>.</summary>
    public static async Task<AnvilProcess> StartAsync(ulong chainId = DefaultChainId)
    {
        if (!File.Exists(ExecutablePath))
        {
            throw new InvalidOperationException("anvil not installed: run `npm ci` in tests/ (see test.sh)");
        }

        var port = TcpPorts.GetFree();
        var start = new ProcessStartInfo(ExecutablePath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "--host", "127.0.0.1", "--port", port.ToString(CultureInfo.InvariantCulture), "--chain-id", chainId.ToString(CultureInfo.InvariantCulture), "--quiet" })
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("anvil did not start");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var node = new AnvilProcess(process, new Uri($"http://127.0.0.1:{port}/"), chainId);
        var waited = Stopwatch.StartNew();
        while (true)
        {
            if (process.HasExited)
            {
                var code = process.ExitCode;
                await node.DisposeAsync();
                throw new InvalidOperationException("anvil exited with code " + code);
            }

            try
            {
                using var answer = await node.RequestAsync("eth_chainId", "[]");
                if (ParseQuantity(answer.RootElement.GetString()!) == chainId)
                {
                    return node;
                }
            }
            catch (HttpRequestException) when (waited.Elapsed < StartTimeout)
            {
                await Task.Delay(100);
            }
        }
    }

    /// <summary>Sends one JSON-RPC request; returns its <c>result</c>.</summary>
    /// <param name="method">The method, e.g. <c>anvil_mine</c>.</param>
    /// <param name="parametersJson">The positional parameters as a JSON array.</param>
    /// <exception cref="InvalidOperationException">The node answered with an error.</exception>
    public async Task<JsonDocument> RequestAsync(string method, string parametersJson)
    {
        var id = Interlocked.Increment(ref _nextId);
        var body = $"{{\"jsonrpc\":\"2.0\",\"id\":{id},\"method\":{JsonSerializer.Serialize(method)},\"params\":{parametersJson}}}";
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await _http.PostAsync(Endpoint, content);
        response.EnsureSuccessStatusCode();
        using var document = JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync());
        if (document.RootElement.TryGetProperty("error", out var error))
        {
            throw new InvalidOperationException($"{method} failed: {error.GetRawText()}");
        }

        return JsonDocument.Parse(document.RootElement.GetProperty("result").GetRawText());
    }

    /// <summary>Mines <paramref name="blocks"/> empty blocks.</summary>
    public async Task MineAsync(int blocks = 1)
    {
        using var _ = await RequestAsync("anvil_mine", $"[\"0x{blocks:x}\"]");
    }

    /// <summary>The newest block number.</summary>
    public async Task<ulong> BlockNumberAsync()
    {
        using var answer = await RequestAsync("eth_blockNumber", "[]");
        return ParseQuantity(answer.RootElement.GetString()!);
    }

    /// <summary>Kills the node (it stops answering; for fail-closed tests). Idempotent.</summary>
    public async Task StopAsync()
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
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _process.Dispose();
        _http.Dispose();
    }

    private static ulong ParseQuantity(string hex) => ulong.Parse(hex.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
}
