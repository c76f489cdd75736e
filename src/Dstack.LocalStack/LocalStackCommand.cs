using System.CommandLine;
using Dstack.Attestation.OsImage;
using Dstack.Attestation.Simulation;
using Dstack.Agent.Embedding;
using Dstack.Kms.Embedding;
using Microsoft.Extensions.Logging;

namespace Dstack.LocalStack;

/// <summary>
/// <c>dstack-local [--dir DIR] [--kms-config FILE] [--app-id HEX] [--kms-port N]</c>: the whole dstack stack on a
/// laptop. It starts the KMS in-process (its own simulated TD booted as the KMS app, a policy file allowing the sample
/// app and the KMS itself), then boots a
/// simulated VM against it over the real loopback gRPC + RA-TLS path and serves the VM's <c>dstack.sock</c> and
/// <c>tappd.sock</c>, so the keys on the socket carry signature chains to the KMS's k256 root key. A restart reuses
/// everything (same keys, no boot events emitted twice); Ctrl-C stops both and removes the sockets.
/// </summary>
internal static class LocalStackCommand
{
    /// <summary>Builds the command.</summary>
    public static RootCommand Create()
    {
        var dir = new Option<string>("--dir") { Description = "Directory of the KMS (kms/), the VM (vm/) and the sockets", DefaultValueFactory = _ => LocalStackLayout.DefaultDirectory };
        var kmsConfig = new Option<string?>("--kms-config") { Description = "JSON file of dstack-kms configuration keys merged over the embedded defaults (e.g. an on-chain policy)" };
        var appId = new Option<string?>("--app-id") { Description = "Pin the VM's app id (20 bytes of hex, e.g. an on-chain app contract); default: the compose hash's first 20 bytes" };
        var kmsPort = new Option<int>("--kms-port") { Description = "Loopback port of the KMS; 0 (default) picks a free one at every start", DefaultValueFactory = _ => 0 };
        var command = new RootCommand("dstack-local: the dstack agent on a simulated TDX VM, booted against an in-process KMS") { dir, kmsConfig, appId, kmsPort };
        command.SetAction((parse, cancellationToken) => RunAsync(
            new LocalStackArguments
            {
                Directory = parse.GetValue(dir)!,
                KmsConfig = parse.GetValue(kmsConfig),
                AppId = parse.GetValue(appId),
                KmsPort = parse.GetValue(kmsPort),
            },
            Console.Out,
            Console.Error,
            cancellationToken));
        return command;
    }

    /// <summary>Runs the stack until <paramref name="cancellationToken"/> fires or either part stops; returns the exit code.</summary>
    /// <param name="arguments">The command line.</param>
    /// <param name="output">Where the help is printed once the sockets listen.</param>
    /// <param name="error">Where failures are reported (one line each).</param>
    /// <param name="cancellationToken">Stops both (Ctrl-C).</param>
    /// <param name="configureLogging">Extra logging setup of both hosts (tests).</param>
    /// <param name="started">Runs once the help is printed.</param>
    public static async Task<int> RunAsync(
        LocalStackArguments arguments,
        TextWriter output,
        TextWriter error,
        CancellationToken cancellationToken,
        Action<ILoggingBuilder>? configureLogging = null,
        Func<Task>? started = null)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        LocalStackLayout layout;
        LocalKmsConfiguration kmsConfiguration;
        LocalImageServer? images = null;
        LocalStackVm vm;
        string trustRoot;
        try
        {
            var appId = ParseAppId(arguments.AppId);
            if (arguments.KmsPort is < 0 or > 65535)
            {
                throw new LocalStackException($"--kms-port must be in 0..65535, got {arguments.KmsPort}") { ExitCode = 2 };
            }

            layout = new LocalStackLayout(arguments.Directory);
            // the bundles of the simulated images this stack's TDs boot, for the KMS's download path
            images = await LocalImageServer.StartAsync(
                new[] { SimulatedBootImage.Default, SimulatedBootImage.Load(layout.VmTd), SimulatedBootImage.Load(layout.KmsTd) }
                    .Select(b => b.ImageName).Distinct(StringComparer.Ordinal).Select(SimulatedOsImage.Create),
                cancellationToken).ConfigureAwait(false);
            kmsConfiguration = LocalKmsConfiguration.Build(layout, arguments.KmsConfig, arguments.KmsPort, images.UrlTemplate);
            trustRoot = SharedTrustRoot.Share(layout);
            vm = LocalStackAgent.PrepareVm(layout.Vm, kmsConfiguration.Url, appId);
            var kmsIdentity = await LocalKmsIdentity.PrepareAsync(kmsConfiguration.Values, cancellationToken).ConfigureAwait(false);
            LocalPolicyFile.WriteIfMissing(layout.PolicyFile, vm, kmsIdentity);
        }
        catch (LocalStackException ex)
        {
            await DisposeAsync(images).ConfigureAwait(false);
            await error.WriteLineAsync("dstack-local: " + ex.Message).ConfigureAwait(false);
            return ex.ExitCode;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException or ArgumentException)
        {
            await DisposeAsync(images).ConfigureAwait(false);
            await error.WriteLineAsync("dstack-local: " + ex.Message).ConfigureAwait(false);
            return 1;
        }

        await using var imageServer = images;

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var kmsStarted = new TaskCompletionSource<KmsEmbeddedStarted>(TaskCreationOptions.RunContinuationsAsynchronously);
        var kms = Task.Run(() => KmsEmbedded.RunAsync(new KmsEmbeddedSettings
        {
            Configuration = kmsConfiguration.Values,
            Error = error,
            ConfigureLogging = logging =>
            {
                // the agent's lines follow; the KMS's "Application started. Press Ctrl+C" would only confuse
                logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning);
                configureLogging?.Invoke(logging);
            },
            Started = info =>
            {
                kmsStarted.TrySetResult(info);
                return Task.CompletedTask;
            },
        }, stop.Token), CancellationToken.None);

        if (await Task.WhenAny(kmsStarted.Task, kms).ConfigureAwait(false) == kms)
        {
            var code = await kms.ConfigureAwait(false);
            return code != 0 || cancellationToken.IsCancellationRequested ? code : 1;
        }

        var kmsInfo = await kmsStarted.Task.ConfigureAwait(false);
        var agent = Task.Run(() => LocalStackAgent.RunAsync(new LocalStackAgentSettings
        {
            VmDirectory = layout.Vm,
            SocketDirectory = layout.Root,
            Error = error,
            ConfigureLogging = configureLogging,
            Started = async info =>
            {
                await output.WriteAsync(LocalStackHelp.Render(layout, kmsConfiguration, kmsInfo, info, trustRoot)).ConfigureAwait(false);
                await output.FlushAsync(stop.Token).ConfigureAwait(false);
                if (started is not null)
                {
                    await started().ConfigureAwait(false);
                }
            },
        }, stop.Token), CancellationToken.None);

        // whichever stops first (Ctrl-C, a refused boot, a fault) stops the other
        await Task.WhenAny(agent, kms).ConfigureAwait(false);
        await stop.CancelAsync().ConfigureAwait(false);
        var agentCode = await agent.ConfigureAwait(false);
        var kmsCode = await kms.ConfigureAwait(false);
        return agentCode != 0 ? agentCode : kmsCode;
    }

    private static ValueTask DisposeAsync(LocalImageServer? images) => images?.DisposeAsync() ?? ValueTask.CompletedTask;

    /// <summary>The bytes of <c>--app-id</c> (checked before anything is written), or null without it.</summary>
    private static byte[]? ParseAppId(string? appId)
    {
        if (appId is null)
        {
            return null;
        }

        var hex = appId.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? appId[2..] : appId;
        return hex.Length == 40 && hex.All(char.IsAsciiHexDigit)
            ? Convert.FromHexString(hex)
            : throw new LocalStackException($"--app-id must be 20 bytes of hex (40 hex digits, optional 0x), got '{appId}'") { ExitCode = 2 };
    }
}
