using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Dstack.Agent.Hosting;
using Dstack.Agent.Methods;
using Dstack.Tests;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Dstack.Agent.Tests.Support;

/// <summary>A real daemon (Kestrel on Unix sockets) in a private temp directory.</summary>
public sealed class TestAgent : IAsyncDisposable
{
    private WebApplication? _app;

    private TestAgent(string directory)
    {
        Directory = directory;
        Config = new JsonObject
        {
            ["Sockets"] = new JsonObject
            {
                ["Dstack"] = Path.Combine(directory, "dstack.sock"),
                ["Tappd"] = Path.Combine(directory, "tappd.sock"),
            },
            ["Files"] = new JsonObject
            {
                ["AppCompose"] = Path.Combine(directory, "app-compose.json"),
                ["SysConfig"] = Path.Combine(directory, "sys-config.json"),
                ["InstanceInfo"] = Path.Combine(directory, "instance_info"),
                ["AppKeys"] = Path.Combine(directory, "appkeys.json"),
                ["DmiDirectory"] = Path.Combine(directory, "dmi"),
            },
            ["Tdx"] = new JsonObject
            {
                ["Mode"] = "simulated",
                ["StateDirectory"] = directory,
            },
        };
        File.Copy(SharedFiles.Fixture("simulator-app-compose.json"), Path.Combine(directory, "app-compose.json"));
        File.Copy(SharedFiles.Fixture("simulator-sys-config.json"), Path.Combine(directory, "sys-config.json"));
        File.Copy(SharedFiles.Fixture("simulator-appkeys.json"), Path.Combine(directory, "appkeys.json"));
    }

    public string Directory { get; }

    public JsonObject Config { get; }

    public Dictionary<string, string?> Environment { get; } = [];

    public int FirstListenFd { get; set; } = 3;

    public CapturingLoggerProvider Logs { get; } = new();

    public string DstackSocket => Config["Sockets"]!["Dstack"]!.GetValue<string>();

    public string TappdSocket => Config["Sockets"]!["Tappd"]!.GetValue<string>();

    public string ConfigPath => Path.Combine(Directory, "agent.json");

    public static TestAgent Create()
    {
        // Short path: Unix socket paths are limited to 107 bytes.
        var directory = Path.Combine("/tmp", "dat-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)));
        System.IO.Directory.CreateDirectory(directory);
        return new TestAgent(directory);
    }

    public static async Task<TestAgent> StartAsync(Action<TestAgent>? configure = null)
    {
        var agent = Create();
        configure?.Invoke(agent);
        await agent.StartAsync();
        return agent;
    }

    internal AgentHostSettings Settings() => new()
    {
        ConfigPath = WriteConfig(),
        Environment = ProcessEnvironment.From(Environment, FirstListenFd),
        ConfigureLogging = logging => logging.AddProvider(Logs).SetMinimumLevel(LogLevel.Debug),
        ConfigureServices = services =>
        {
            services.AddSingleton<IRpcMethod, EchoTlsArgsMethod>();
            services.AddSingleton<IRpcMethod, EchoQuoteMethod>();
            services.AddSingleton<IRpcMethod, EmptyResultMethod>();
            services.AddSingleton<IRpcMethod, ThrowingMethod>();
        },
    };

    public string WriteConfig()
    {
        File.WriteAllText(ConfigPath, Config.ToJsonString());
        return ConfigPath;
    }

    public async Task StartAsync()
    {
        _app = AgentHost.Build(Settings());
        await _app.StartAsync();
    }

    public async Task StopAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
            _app = null;
        }
    }

    public HttpClient CreateClient(string? socket = null)
    {
        var path = socket ?? DstackSocket;
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, cancellationToken) =>
            {
                var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                await s.ConnectAsync(new UnixDomainSocketEndPoint(path), cancellationToken);
                return new NetworkStream(s, ownsSocket: true);
            },
        };
        return new HttpClient(handler) { BaseAddress = new Uri("http://localhost") };
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        System.IO.Directory.Delete(Directory, recursive: true);
    }
}
