namespace Dstack.Tests;

/// <summary>
/// The Native AOT <c>dstack-agent</c> executable: <c>DSTACK_NATIVE_AGENT</c> when set (test.sh publishes it once and
/// sets it), otherwise published on demand into <c>artifacts/native/</c> with the README's command. The publish is
/// incremental, so a second run over an unchanged tree only checks that the binary is up to date.
/// </summary>
internal static class NativeAgentBinary
{
    /// <summary>The environment variable that names an already published executable.</summary>
    public const string Variable = "DSTACK_NATIVE_AGENT";

    private static readonly TimeSpan PublishTimeout = TimeSpan.FromMinutes(20);
    private static readonly SemaphoreSlim PublishLock = new(1, 1);
    private static string? _published;

    /// <summary>The folder that on-demand publishing writes to.</summary>
    public static string OutputDirectory => Path.Combine(SharedFiles.RepositoryRoot, "artifacts", "native");

    /// <summary>Path of the executable; publishes it first when <see cref="Variable"/> is not set.</summary>
    /// <exception cref="FileNotFoundException"><see cref="Variable"/> names a file that does not exist.</exception>
    /// <exception cref="InvalidOperationException">The publish failed; the message holds its output.</exception>
    public static async Task<string> GetPathAsync(CancellationToken cancellationToken = default)
    {
        if (Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } given)
        {
            return File.Exists(given)
                ? given
                : throw new FileNotFoundException($"{Variable}={given} does not exist: the native publish failed or was not run", given);
        }

        await PublishLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return _published ??= await PublishAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            PublishLock.Release();
        }
    }

    private static string RuntimeIdentifier =>
        System.Runtime.InteropServices.RuntimeInformation.OSArchitecture == System.Runtime.InteropServices.Architecture.Arm64 ? "linux-arm64" : "linux-x64";

    private static async Task<string> PublishAsync(CancellationToken cancellationToken)
    {
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } path ? path : "dotnet";
        string[] arguments =
        [
            "publish", Path.Combine(SharedFiles.RepositoryRoot, "src", "Dstack.Agent", "Dstack.Agent.csproj"),
            "-c", "Release", "-r", RuntimeIdentifier, "-o", OutputDirectory, "--nologo",
            "-nodeReuse:false", "-p:UseSharedCompilation=false",
        ];
        await using var publish = DotnetProcess.StartExecutable("dotnet publish (native dstack-agent)", host, arguments);
        var code = await publish.WaitForExitAsync(PublishTimeout, cancellationToken).ConfigureAwait(false);
        var executable = Path.Combine(OutputDirectory, "dstack-agent");
        if (code != 0 || !File.Exists(executable))
        {
            throw new InvalidOperationException($"publishing the native dstack-agent failed (exit code {code}):{Environment.NewLine}{publish.Output}");
        }

        return executable;
    }
}
