using System.Diagnostics;
using System.Text.Json;
using Dstack.Tests;

namespace Dstack.Agent.Tests.Support;

/// <summary>Runs one of the SDK interop scripts (<c>tests/interop/sdk/*.mjs</c>) with <c>node</c> and parses its JSON output.</summary>
public static class NodeScript
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    public static string ScriptDirectory => Path.Combine(SharedFiles.RepositoryRoot, "tests", "interop", "sdk");

    public static async Task<JsonDocument> RunAsync(string script, IReadOnlyDictionary<string, string> environment)
    {
        var sdk = Path.Combine(SharedFiles.RepositoryRoot, "tests", "node_modules", "@phala", "dstack-sdk", "package.json");
        Assert.True(File.Exists(sdk), $"the official JS SDK is not installed: run `npm ci --prefix tests` (or ./test.sh) first; missing {sdk}");

        var start = new ProcessStartInfo("node", [Path.Combine(ScriptDirectory, script)])
        {
            WorkingDirectory = ScriptDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start node");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(Timeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            Assert.Fail($"node {script} did not finish within {Timeout}: {await stderr}");
        }

        var output = await stdout;
        Assert.True(process.ExitCode == 0, $"node {script} exited with {process.ExitCode}: {await stderr}\n{output}");
        return JsonDocument.Parse(output);
    }
}
