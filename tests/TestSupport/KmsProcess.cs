using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace Dstack.Tests;

/// <summary>
/// <c>dstack-kms run --config FILE</c> as a real child process (<c>dotnet dstack-kms.dll</c> from the build output of
/// <c>src/Dstack.Kms</c>), for end-to-end tests of any project: it knows nothing of the KMS's types. <see cref="StartAsync"/>
/// returns once the daemon logs the address it listens on (after its root keys are loaded, bootstrapped or onboarded,
/// because the listener starts only then); disposing kills the process tree.
/// </summary>
/// <remarks>
/// A test project that does not reference <c>Dstack.Kms</c> should still make sure it is built, for example with
/// <c>&lt;ProjectReference Include="../../src/Dstack.Kms/Dstack.Kms.csproj" ReferenceOutputAssembly="false" /&gt;</c>;
/// <c>DSTACK_KMS_DLL</c> overrides the location of <c>dstack-kms.dll</c>.
/// </remarks>
internal sealed partial class KmsProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private KmsProcess(Process process) => _process = process;

    /// <summary>The gRPC address, <c>https://127.0.0.1:PORT</c> (a wildcard bind address is replaced by loopback).</summary>
    public Uri Address { get; private set; } = null!;

    /// <summary>Everything the process wrote to stdout and stderr so far.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>The operating-system process id.</summary>
    public int ProcessId => _process.Id;

    /// <summary>True once the process has exited.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>Where <c>dstack-kms.dll</c> is: <c>DSTACK_KMS_DLL</c>, else the build output matching this test's configuration.</summary>
    public static string DefaultDllPath
    {
        get
        {
            if (Environment.GetEnvironmentVariable("DSTACK_KMS_DLL") is { Length: > 0 } overridden)
            {
                return overridden;
            }

            var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                ? "Release"
                : "Debug";
            return Path.Combine(SharedFiles.RepositoryRoot, "src", "Dstack.Kms", "bin", configuration, "net10.0", "dstack-kms.dll");
        }
    }

    /// <summary>Starts <c>dstack-kms run --config <paramref name="configPath"/></c> and waits until it listens.</summary>
    /// <param name="configPath">The JSON configuration file.</param>
    /// <param name="timeout">How long start-up may take (default 60 s); then the process is killed and <see cref="TimeoutException"/> thrown.</param>
    /// <param name="dllPath">The daemon; <see cref="DefaultDllPath"/> when null.</param>
    /// <param name="cancellationToken">Cancels waiting (the process is killed).</param>
    /// <exception cref="InvalidOperationException">The process exited before listening; the message holds its output.</exception>
    public static async Task<KmsProcess> StartAsync(string configPath, TimeSpan? timeout = null, string? dllPath = null, CancellationToken cancellationToken = default)
    {
        dllPath ??= DefaultDllPath;
        if (!File.Exists(dllPath))
        {
            throw new FileNotFoundException($"{dllPath} does not exist: build src/Dstack.Kms first (or set DSTACK_KMS_DLL)", dllPath);
        }

        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dllPath);
        start.ArgumentList.Add("run");
        start.ArgumentList.Add("--config");
        start.ArgumentList.Add(configPath);
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var daemon = new KmsProcess(process);
        process.OutputDataReceived += (_, e) => daemon.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => daemon.OnLine(e.Data);
        process.Exited += (_, _) =>
        {
            string code;
            try
            {
                // drain the redirected output first, so the exception carries the daemon's last words
                process.WaitForExit();
                code = process.ExitCode.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
            catch (InvalidOperationException)
            {
                code = "unknown"; // already disposed
            }

            daemon._listening.TrySetException(new InvalidOperationException(
                $"dstack-kms exited with code {code} before listening; output:{Environment.NewLine}{daemon.Output}"));
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        try
        {
            daemon.Address = await daemon._listening.Task.WaitAsync(timeout ?? TimeSpan.FromSeconds(60), cancellationToken).ConfigureAwait(false);
            return daemon;
        }
        catch (TimeoutException)
        {
            await daemon.DisposeAsync().ConfigureAwait(false);
            throw new TimeoutException($"dstack-kms did not listen within {timeout ?? TimeSpan.FromSeconds(60)}; output:{Environment.NewLine}{daemon.Output}");
        }
        catch
        {
            await daemon.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Waits for the process to exit by itself (e.g. a refused start-up); kills it and throws after <paramref name="timeout"/>.</summary>
    /// <returns>The exit code.</returns>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var source = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(source.Token).ConfigureAwait(false);
            return _process.ExitCode;
        }
        catch (OperationCanceledException)
        {
            await DisposeAsync().ConfigureAwait(false);
            throw new TimeoutException($"dstack-kms did not exit within {timeout}; output:{Environment.NewLine}{Output}");
        }
    }

    /// <summary>Kills the process tree (if still running) and waits for it to go.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                using var source = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await _process.WaitForExitAsync(source.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or OperationCanceledException or System.ComponentModel.Win32Exception)
        {
        }

        _process.Dispose();
    }

    [GeneratedRegex(@"Now listening on: (?<url>https?://\S+)")]
    private static partial Regex ListeningLine();

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }

        var match = ListeningLine().Match(line);
        if (match.Success)
        {
            var url = match.Groups["url"].Value.Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal).Replace("[::]", "127.0.0.1", StringComparison.Ordinal);
            _listening.TrySetResult(new Uri(url));
        }
    }
}
