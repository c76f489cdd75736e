using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;

// dotnet run -c Release --project tests/Dstack.LoadTest -- socket [--agent PATH | --attach SOCKET] [--only ROW] [--connections N] [--seconds S]
// dotnet run -c Release --project tests/Dstack.LoadTest -- process [--agent PATH]
// PATH: a native dstack-agent (artifacts/native/dstack-agent) or the JIT build's dstack-agent.dll (default).
var options = LoadOptions.Parse(args);
return options.Mode switch
{
    "socket" => await SocketLoad.RunAsync(options),
    "process" => await ProcessLoad.RunAsync(options),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: Dstack.LoadTest socket|process [--agent PATH | --attach SOCKET] [--only ROW] [--connections N] [--seconds S]");
    return 2;
}

/// <summary>Command-line options.</summary>
internal sealed record LoadOptions(string Mode, string Agent, int Connections, int Seconds, string? Attach, string? Only)
{
    public static LoadOptions Parse(string[] args)
    {
        var mode = args.Length > 0 ? args[0] : "";
        var agent = Path.Combine(RepositoryRoot(), "src", "Dstack.Agent", "bin", "Release", "net10.0", "dstack-agent.dll");
        int connections = 16, seconds = 5;
        string? attach = null, only = null;
        for (var i = 1; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--agent": agent = Path.GetFullPath(args[i + 1]); break;
                case "--connections": connections = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--seconds": seconds = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--attach": attach = Path.GetFullPath(args[i + 1]); break;
                case "--only": only = args[i + 1]; break;
                default: throw new ArgumentException("unknown option " + args[i]);
            }
        }

        return new LoadOptions(mode, agent, connections, seconds, attach, only);
    }

    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "DstackAgent.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("DstackAgent.sln not found above " + AppContext.BaseDirectory);
    }
}

/// <summary>A running <c>dstack-agent dev</c> in a temporary directory.</summary>
internal sealed class DevAgent : IAsyncDisposable
{
    private readonly Process _process;

    private DevAgent(Process process, string directory)
    {
        _process = process;
        Directory = directory;
    }

    public string Directory { get; }

    public string Socket => Path.Combine(Directory, "sockets", "dstack.sock");

    public int ProcessId => _process.Id;

    public TimeSpan StartedIn { get; private set; }

    public static async Task<DevAgent> StartAsync(string agent, string? stateDirectory = null)
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("dstack-load-").FullName;
        var start = agent.EndsWith(".dll", StringComparison.Ordinal) ? new ProcessStartInfo("dotnet") : new ProcessStartInfo(agent);
        if (agent.EndsWith(".dll", StringComparison.Ordinal))
        {
            start.ArgumentList.Add(agent);
        }

        foreach (var a in new[] { "dev", "--socket-dir", Path.Combine(directory, "sockets"), "--state-dir", stateDirectory ?? Path.Combine(directory, "state") })
        {
            start.ArgumentList.Add(a);
        }

        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        var clock = Stopwatch.StartNew();
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var agentProcess = new DevAgent(process, directory);
        using var client = new RawClient(agentProcess.Socket, retryConnect: true);
        await client.SendAsync(RawClient.Get("/Version"));
        agentProcess.StartedIn = clock.Elapsed;
        return agentProcess;
    }

    public long RssKiB()
    {
        foreach (var line in File.ReadLines($"/proc/{_process.Id}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line[6..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
            }
        }

        return -1;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        catch (InvalidOperationException)
        {
        }

        _process.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>A keep-alive HTTP/1.1 client over one Unix-socket connection (Content-Length responses only).</summary>
internal sealed class RawClient : IDisposable
{
    private readonly Socket _socket;
    private readonly byte[] _buffer = new byte[1 << 20];

    public RawClient(string path, bool retryConnect = false)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            _socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                _socket.Connect(new UnixDomainSocketEndPoint(path));
                return;
            }
            catch (SocketException) when (retryConnect && deadline.Elapsed < TimeSpan.FromSeconds(60))
            {
                _socket.Dispose();
                Thread.Sleep(1);
            }
        }
    }

    public static byte[] Get(string target) => Encoding.ASCII.GetBytes($"GET {target} HTTP/1.1\r\nHost: localhost\r\n\r\n");

    public static byte[] Post(string target, string json) =>
        Encoding.ASCII.GetBytes($"POST {target} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: {Encoding.UTF8.GetByteCount(json)}\r\n\r\n{json}");

    /// <summary>Sends one request and reads one response; returns the status code.</summary>
    public async Task<int> SendAsync(byte[] request)
    {
        await _socket.SendAsync(request, SocketFlags.None);
        var filled = 0;
        while (true)
        {
            var read = await _socket.ReceiveAsync(_buffer.AsMemory(filled), SocketFlags.None);
            if (read == 0)
            {
                throw new IOException("connection closed");
            }

            filled += read;
            var text = Encoding.ASCII.GetString(_buffer, 0, Math.Min(filled, 4096));
            var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (end < 0)
            {
                continue;
            }

            var lengthAt = text.IndexOf("Content-Length:", StringComparison.OrdinalIgnoreCase);
            if (lengthAt < 0 || lengthAt > end)
            {
                throw new IOException("response without Content-Length");
            }

            var lineEnd = text.IndexOf("\r\n", lengthAt, StringComparison.Ordinal);
            var length = int.Parse(text.AsSpan(lengthAt + 15, lineEnd - lengthAt - 15).Trim(), CultureInfo.InvariantCulture);
            while (filled < end + 4 + length)
            {
                read = await _socket.ReceiveAsync(_buffer.AsMemory(filled), SocketFlags.None);
                if (read == 0)
                {
                    throw new IOException("connection closed");
                }

                filled += read;
            }

            return int.Parse(text.AsSpan(9, 3), CultureInfo.InvariantCulture);
        }
    }

    public void Dispose() => _socket.Dispose();
}

/// <summary>Drives N connections for a duration and reports req/s, p50, p99.</summary>
internal static class Driver
{
    public static async Task<(double Rate, double P50, double P99, int Errors)> RunAsync(string socket, int connections, TimeSpan duration, Func<long, byte[]> request)
    {
        var latencies = new List<double>[connections];
        var errors = 0;
        long sequence = 0;
        var clock = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, connections).Select(async i =>
        {
            var mine = latencies[i] = new List<double>(100_000);
            using var client = new RawClient(socket);
            while (clock.Elapsed < duration)
            {
                var started = Stopwatch.GetTimestamp();
                var status = await client.SendAsync(request(Interlocked.Increment(ref sequence)));
                mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                if (status != 200)
                {
                    Interlocked.Increment(ref errors);
                }
            }
        }).ToArray();
        await Task.WhenAll(workers);
        var all = latencies.SelectMany(l => l).Order().ToArray();
        return (all.Length / clock.Elapsed.TotalSeconds, Percentile(all, 0.50), Percentile(all, 0.99), errors);
    }

    private static double Percentile(double[] sorted, double p) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];
}

/// <summary>socket: the agent's methods against a trivial Kestrel endpoint in the same run.</summary>
internal static class SocketLoad
{
    public static async Task<int> RunAsync(LoadOptions options)
    {
        await using var agent = options.Attach is null ? await DevAgent.StartAsync(options.Agent) : null;
        var agentSocket = options.Attach ?? agent!.Socket;
        var scratch = Directory.CreateTempSubdirectory("dstack-load-trivial-").FullName;
        var trivialSocket = Path.Combine(scratch, "trivial.sock");
        var body = Encoding.UTF8.GetBytes("{\"key\":\"" + new string('a', 64) + "\",\"signature_chain\":[\"" + new string('b', 130) + "\",\"" + new string('c', 130) + "\"]}");
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.ListenUnixSocket(trivialSocket));
        await using var trivial = builder.Build();
        trivial.Run(context =>
        {
            context.Response.ContentType = "application/json";
            context.Response.ContentLength = body.Length;
            return context.Response.Body.WriteAsync(body).AsTask();
        });
        await trivial.StartAsync();

        var duration = TimeSpan.FromSeconds(options.Seconds);
        Console.WriteLine($"agent {options.Attach ?? options.Agent}, {options.Connections} keep-alive connections, {options.Seconds} s per row, {Environment.ProcessorCount} cores, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        // warm-up (discarded): the trivial endpoint and this client are JIT-compiled and tiered up before anything counts
        await Driver.RunAsync(trivialSocket, options.Connections, TimeSpan.FromSeconds(2), _ => RawClient.Get("/"));
        await Driver.RunAsync(agentSocket, options.Connections, TimeSpan.FromSeconds(1), _ => RawClient.Get("/Version"));
        var baseline = await Driver.RunAsync(trivialSocket, options.Connections, duration, _ => RawClient.Get("/"));
        Print("trivial Kestrel endpoint", baseline, baseline.Rate);
        var rows = new (string Name, Func<long, byte[]> Request)[]
        {
            ("Version", _ => RawClient.Get("/Version")),
            ("Info", _ => RawClient.Get("/Info")),
            ("GetKey, same path", _ => RawClient.Post("/GetKey", "{\"path\":\"load/same\",\"purpose\":\"signing\"}")),
            ("GetKey, fresh path", n => RawClient.Post("/GetKey", "{\"path\":\"load/" + n.ToString(CultureInfo.InvariantCulture) + "\",\"purpose\":\"signing\"}")),
            ("Sign (secp256k1)", _ => RawClient.Post("/Sign", "{\"algorithm\":\"secp256k1\",\"data\":\"00112233445566778899aabbccddeeff\"}")),
            ("GetQuote (simulated)", _ => RawClient.Get("/GetQuote?report_data=" + new string('1', 128))),
            ("GetTlsKey", _ => RawClient.Post("/GetTlsKey", "{\"subject\":\"load\",\"usage_server_auth\":true}")),
            ("GetTlsKey, RA-TLS", _ => RawClient.Post("/GetTlsKey", "{\"subject\":\"load\",\"usage_ra_tls\":true}")),

            // last: every event stays in RTMR3 and the runtime log for the life of the TD
            ("EmitEvent", n => RawClient.Post("/EmitEvent", "{\"event\":\"load\",\"payload\":\"" + (n % 256).ToString("x2", CultureInfo.InvariantCulture) + "\"}")),
        };
        foreach (var (name, request) in rows)
        {
            if (options.Only is null || name.StartsWith(options.Only, StringComparison.OrdinalIgnoreCase))
            {
                Print(name, await Driver.RunAsync(agentSocket, options.Connections, duration, request), baseline.Rate);
            }
        }

        await trivial.StopAsync();
        Directory.Delete(scratch, recursive: true);

        Console.WriteLine("GetTlsKey signs locally under `dstack-agent dev`; --attach to dstack-local's socket to measure it through the KMS");
        return 0;
    }

    private static void Print(string name, (double Rate, double P50, double P99, int Errors) r, double baseline) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name,-26} {r.Rate,9:F0} req/s  p50 {r.P50,7:F2} ms  p99 {r.P99,7:F2} ms  ratio {r.Rate / baseline,5:F3}{(r.Errors > 0 ? $"  ERRORS {r.Errors}" : "")}"));
}

/// <summary>process: exec to first answer and resident memory of <c>dstack-agent dev</c>.</summary>
internal static class ProcessLoad
{
    public static async Task<int> RunAsync(LoadOptions options)
    {
        var state = Directory.CreateTempSubdirectory("dstack-load-state-").FullName;
        try
        {
            TimeSpan first;
            await using (var booting = await DevAgent.StartAsync(options.Agent, state))
            {
                first = booting.StartedIn;
            }

            await using var agent = await DevAgent.StartAsync(options.Agent, state);
            await Task.Delay(2000);
            var idle = agent.RssKiB();
            using (var client = new RawClient(agent.Socket))
            {
                for (var i = 0; i < 100_000; i++)
                {
                    await client.SendAsync(i % 2 == 0 ? RawClient.Get("/Version") : RawClient.Post("/GetKey", "{\"path\":\"p" + (i % 1000).ToString(CultureInfo.InvariantCulture) + "\"}"));
                }
            }

            var after = agent.RssKiB();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{options.Agent}: first boot -> serving {first.TotalMilliseconds:F0} ms; booted state -> serving {agent.StartedIn.TotalMilliseconds:F0} ms; idle RSS {idle / 1024.0:F1} MiB; RSS after 100k requests {after / 1024.0:F1} MiB"));
            return 0;
        }
        finally
        {
            Directory.Delete(state, recursive: true);
        }
    }
}
