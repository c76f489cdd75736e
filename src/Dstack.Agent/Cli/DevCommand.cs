using System.CommandLine;
using Dstack.Agent.Dev;
using Dstack.Agent.Hosting;
using Dstack.Agent.Identity;
using Dstack.Attestation.Simulation;
using Dstack.Crypto.Secp256k1;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Dstack.Agent.Cli;

/// <summary>
/// <c>dstack-agent dev [--socket-dir DIR] [--state-dir DIR]</c>: the daemon on the simulated TD of the state directory,
/// serving <c>dstack.sock</c> and <c>tappd.sock</c> in the socket directory. On first start it writes a sample
/// app-compose and sys-config, seeds the instance id and the dev app keys, and emits the boot events; later starts reuse
/// all of it (the boot events are never emitted twice). Ctrl-C stops it and removes the sockets.
/// </summary>
internal static class DevCommand
{
    /// <summary>Default socket and state directory.</summary>
    public const string DefaultDirectory = ".dstack";

    /// <summary>Builds the verb.</summary>
    public static Command Create()
    {
        var socketDir = new Option<string>("--socket-dir") { Description = "Where dstack.sock and tappd.sock are created", DefaultValueFactory = _ => DefaultDirectory };
        var stateDir = new Option<string>("--state-dir") { Description = "State of the simulated TD, its app files and dev keys (created on first start)", DefaultValueFactory = _ => DefaultDirectory };
        var command = new Command("dev", "Run the agent on a simulated TDX device with a sample app, for development") { socketDir, stateDir };
        command.SetAction((parse, cancellationToken) =>
            RunAsync(parse.GetValue(socketDir)!, parse.GetValue(stateDir)!, Console.Out, Console.Error, cancellationToken));
        return command;
    }

    /// <summary>Prepares the state directory, boots it once and serves until <paramref name="cancellationToken"/> fires.</summary>
    public static async Task<int> RunAsync(
        string socketDirectory,
        string stateDirectory,
        TextWriter output,
        TextWriter error,
        CancellationToken cancellationToken,
        Action<IServiceCollection>? configureServices = null,
        Action<ILoggingBuilder>? configureLogging = null,
        Func<Task>? started = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        DevState state;
        int emitted;
        string trustRoot;
        try
        {
            state = DevState.Prepare(stateDirectory);
            Directory.CreateDirectory(socketDirectory);
            var material = DevKeyMaterial.Derive(state.KeySeed, state.AppId, state.InstanceId, LibSecp256k1.Instance);
            using var td = SimulatedTd.Open(state.Directory);
            trustRoot = $"{td.TrustRoot.Name} (public key sha256 {td.TrustRoot.PublicKeyFingerprint})";
            emitted = await DevBoot.RunOnceAsync(state, td.Events, material.KeyProviderInfo, TimeProvider.System, cancellationToken).ConfigureAwait(false);
        }
        catch (AgentStartupException ex)
        {
            await error.WriteLineAsync("dstack-agent dev: " + ex.Message).ConfigureAwait(false);
            return 1;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            await error.WriteLineAsync("dstack-agent dev: " + ex.Message).ConfigureAwait(false);
            return 1;
        }

        var socketDir = Path.GetFullPath(socketDirectory);
        var settings = new AgentHostSettings
        {
            ConfigurationValues = new Dictionary<string, string?>
            {
                ["Sockets:Dstack"] = Path.Combine(socketDir, "dstack.sock"),
                ["Sockets:Tappd"] = Path.Combine(socketDir, "tappd.sock"),
                ["Files:AppCompose"] = state.PathOf(DevState.ComposeFileName),
                ["Files:SysConfig"] = state.PathOf(DevState.SysConfigFileName),
                ["Files:InstanceInfo"] = state.PathOf(DevState.InstanceInfoFileName),
                ["Tdx:Mode"] = "simulated",
                ["Tdx:StateDirectory"] = state.Directory,
            },
            Environment = ProcessEnvironment.From(new Dictionary<string, string?>()),
            ConfigureLogging = configureLogging,
            ConfigureServices = services =>
            {
                services.AddSingleton<IAppKeysSource>(sp => new SeededAppKeysSource(state, sp.GetRequiredService<ISecp256k1>(), sp.GetRequiredService<TimeProvider>()));
                configureServices?.Invoke(services);
            },
        };

        return await RunCommand.RunAsync(settings, error, cancellationToken, async () =>
        {
            await output.WriteAsync(Help(state, socketDir, trustRoot, emitted)).ConfigureAwait(false);
            await output.FlushAsync(cancellationToken).ConfigureAwait(false);
            if (started is not null)
            {
                await started().ConfigureAwait(false);
            }
        }).ConfigureAwait(false);
    }

    /// <summary>What the user sees once the sockets listen: identity, paths and commands to try.</summary>
    internal static string Help(DevState state, string socketDir, string trustRoot, int emitted)
    {
        var dstack = Path.Combine(socketDir, "dstack.sock");
        var tappd = Path.Combine(socketDir, "tappd.sock");
        var boot = emitted > 0 ? $"booted now ({emitted} runtime events emitted)" : "already booted (boot events are not emitted again)";
        var lines = new[]
        {
            "dstack-agent dev: the guest agent on a simulated TDX device",
            $"  state directory  {state.Directory}, {boot}",
            $"  app id           {Convert.ToHexStringLower(state.AppId)}",
            $"  instance id      {Convert.ToHexStringLower(state.InstanceId)}",
            $"  compose hash     {Convert.ToHexStringLower(state.ComposeHash)} ({state.PathOf(DevState.ComposeFileName)})",
            $"  mock DCAP root   {trustRoot}",
            $"  dstack.sock      {dstack}",
            $"  tappd.sock       {tappd}",
            "",
            "Try:",
            $"  curl --unix-socket {dstack} http://localhost/Info",
            $"  curl --unix-socket {dstack} 'http://localhost/GetKey?path=my/key&purpose=signing'",
            $"  curl --unix-socket {dstack} -H 'Content-Type: application/json' -d '{{\"event\":\"my-event\",\"payload\":\"cafe\"}}' http://localhost/EmitEvent",
            $"  curl --unix-socket {tappd} http://localhost/prpc/Tappd.Info",
            "Check a quote (its signature under the mock root, and the event log against its RTMRs):",
            $"  curl -s --unix-socket {dstack} 'http://localhost/GetQuote?report_data=1234' > quote.json",
            $"  dstack-agent replay --simulated-root --state-dir {state.Directory} quote.json",
            $"  jq -r .quote quote.json | dstack-agent verify-quote --simulated-root --state-dir {state.Directory} -",
            "With the dstack SDKs:",
            $"  export DSTACK_SIMULATOR_ENDPOINT={dstack} TAPPD_SIMULATOR_ENDPOINT={tappd}",
            "Press Ctrl-C to stop.",
            "",
        };
        return string.Join(Environment.NewLine, lines);
    }
}
