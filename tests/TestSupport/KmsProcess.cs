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
    private const string OverrideVariable = "DSTACK_KMS_DLL";
    private static readonly TimeSpan DefaultStartTimeout = TimeSpan.FromSeconds(60);
    private readonly DotnetProcess _process;

    private KmsProcess(DotnetProcess process, Uri address)
    {
        _process = process;
        Address = address;
    }

    /// <summary>The gRPC address, <c>https://127.0.0.1:PORT</c> (a wildcard bind address is replaced by loopback).</summary>
    public Uri Address { get; }

    /// <summary>Everything the process wrote to stdout and stderr so far.</summary>
    public string Output => _process.Output;

    /// <summary>The operating-system process id.</summary>
    public int ProcessId => _process.ProcessId;

    /// <summary>True once the process has exited.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>Where <c>dstack-kms.dll</c> is: <c>DSTACK_KMS_DLL</c>, else the build output matching this test's configuration.</summary>
    public static string DefaultDllPath => DotnetProcess.BuildOutputPath("Dstack.Kms", "dstack-kms.dll", OverrideVariable);

    /// <summary>Starts <c>dstack-kms run --config <paramref name="configPath"/></c> and waits until it listens.</summary>
    /// <param name="configPath">The JSON configuration file.</param>
    /// <param name="timeout">How long start-up may take (default 60 s); then the process is killed and <see cref="TimeoutException"/> thrown.</param>
    /// <param name="dllPath">The daemon; <see cref="DefaultDllPath"/> when null.</param>
    /// <param name="cancellationToken">Cancels waiting (the process is killed).</param>
    /// <exception cref="InvalidOperationException">The process exited before listening; the message holds its output.</exception>
    public static async Task<KmsProcess> StartAsync(string configPath, TimeSpan? timeout = null, string? dllPath = null, CancellationToken cancellationToken = default)
    {
        var process = DotnetProcess.Start("dstack-kms", dllPath ?? DefaultDllPath, ["run", "--config", configPath], OverrideVariable);
        try
        {
            var match = await process.WaitForLineAsync(ListeningLine(), "listening", timeout ?? DefaultStartTimeout, cancellationToken: cancellationToken).ConfigureAwait(false);
            var url = match.Groups["url"].Value.Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal).Replace("[::]", "127.0.0.1", StringComparison.Ordinal);
            return new KmsProcess(process, new Uri(url));
        }
        catch
        {
            await process.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Waits for the process to exit by itself (e.g. a refused start-up); kills it and throws after <paramref name="timeout"/>.</summary>
    /// <returns>The exit code.</returns>
    public Task<int> WaitForExitAsync(TimeSpan timeout) => _process.WaitForExitAsync(timeout);

    /// <summary>Kills the process tree (if still running) and waits for it to go.</summary>
    public ValueTask DisposeAsync() => _process.DisposeAsync();

    [GeneratedRegex(@"Now listening on: (?<url>https?://\S+)")]
    private static partial Regex ListeningLine();
}
