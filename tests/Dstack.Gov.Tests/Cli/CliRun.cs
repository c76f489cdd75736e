using Dstack.Gov.Cli;

namespace Dstack.Gov.Tests.Cli;

/// <summary>The result of one <c>dstack-gov</c> invocation.</summary>
public sealed record CliRun(int ExitCode, string Output, string Error)
{
    /// <summary>Runs a command line in-process, capturing both streams; fails after two minutes instead of hanging.</summary>
    public static async Task<CliRun> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var code = await GovCli.InvokeAsync(args, output, error, timeout.Token);
        return new CliRun(code, output.ToString(), error.ToString());
    }

    /// <summary>Asserts success and returns standard output.</summary>
    public string Succeeded()
    {
        Assert.True(ExitCode == 0, $"exit {ExitCode}\nstdout:\n{Output}\nstderr:\n{Error}");
        return Output;
    }

    public override string ToString() => $"exit {ExitCode}\nstdout:\n{Output}\nstderr:\n{Error}";
}
