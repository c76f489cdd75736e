using System.Text.Json.Nodes;
using Dstack.Agent.Cli;
using Dstack.Agent.Tests.Support;
using Microsoft.Extensions.Options;

namespace Dstack.Agent.Tests.Configuration;

public sealed class OptionsValidationTests
{
    [Fact]
    public async Task Every_error_is_reported_at_once_including_unknown_keys()
    {
        await using var agent = TestAgent.Create();
        agent.Config["Sockets"]!["Mode"] = "999";
        agent.Config["Sockets"]!["Dstak"] = "/x";
        agent.Config["Limits"] = new JsonObject { ["MaxRequestBodyBytes"] = 10, ["KeepAliveTimeoutSeconds"] = 0 };
        agent.Config["Bogus"] = true;
        agent.Config["Access"] = new JsonObject { ["AllowedUids"] = new JsonArray(1, 2), ["AllowedUsers"] = new JsonArray("root") };

        var error = await Assert.ThrowsAsync<OptionsValidationException>(agent.StartAsync);
        var failures = error.Failures.ToList();
        Assert.Equal(6, failures.Count);
        Assert.Contains(failures, f => f.StartsWith("unknown configuration key 'Sockets:Dstak'", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("unknown configuration key 'Bogus'", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("unknown configuration key 'Access:AllowedUsers'", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Sockets:Mode must be octal", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Limits:MaxRequestBodyBytes", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Limits:KeepAliveTimeoutSeconds", StringComparison.Ordinal));
        Assert.All(failures, f => Assert.EndsWith(" in " + agent.ConfigPath, f, StringComparison.Ordinal));
        Assert.False(File.Exists(agent.DstackSocket));
    }

    [Fact]
    public async Task Run_command_prints_each_failure_and_exits_2()
    {
        await using var agent = TestAgent.Create();
        agent.Config["Sockets"]!["Dstack"] = "/tmp/" + new string('x', 120);
        agent.Config["Files"]!["AppKeys"] = "";
        using var error = new StringWriter();
        var code = await RunCommand.RunAsync(agent.Settings(), error, CancellationToken.None);
        Assert.Equal(2, code);
        var text = error.ToString();
        Assert.Contains("Sockets:Dstack is longer than", text, StringComparison.Ordinal);
        Assert.Contains("Files:AppKeys is required", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Defaults_without_a_config_file_are_valid()
    {
        var validator = new Dstack.Agent.Configuration.AgentOptionsValidator(
            new Dstack.Agent.Configuration.AgentConfiguration(new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build(), null));
        var result = validator.Validate(null, new Dstack.Agent.Configuration.AgentOptions());
        Assert.True(result.Succeeded, result.FailureMessage);
        await Task.CompletedTask;
    }

    [Fact]
    public async Task Missing_or_malformed_config_file_is_a_startup_error()
    {
        using var error = new StringWriter();
        var code = await RunCommand.RunAsync(new Dstack.Agent.Hosting.AgentHostSettings { ConfigPath = "/nonexistent/agent.json" }, error, CancellationToken.None);
        Assert.Equal(1, code);
        Assert.Contains("does not exist", error.ToString(), StringComparison.Ordinal);

        await using var agent = TestAgent.Create();
        await File.WriteAllTextAsync(agent.ConfigPath, "{ not json");
        using var error2 = new StringWriter();
        var code2 = await RunCommand.RunAsync(new Dstack.Agent.Hosting.AgentHostSettings { ConfigPath = agent.ConfigPath }, error2, CancellationToken.None);
        Assert.Equal(1, code2);
        Assert.Contains("not valid JSON", error2.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tdx_mode_must_be_linux_or_simulated_and_simulated_needs_a_state_directory()
    {
        await using var agent = TestAgent.Create();
        agent.Config["Tdx"] = new JsonObject { ["Mode"] = "sgx", ["Extra"] = 1 };
        var error = await Assert.ThrowsAsync<OptionsValidationException>(agent.StartAsync);
        Assert.Contains(error.Failures, f => f.StartsWith("Tdx:Mode must be 'linux' or 'simulated', got 'sgx'", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.StartsWith("unknown configuration key 'Tdx:Extra'", StringComparison.Ordinal));

        agent.Config["Tdx"] = new JsonObject { ["Mode"] = "simulated" };
        var missing = await Assert.ThrowsAsync<OptionsValidationException>(agent.StartAsync);
        Assert.Contains(missing.Failures, f => f.StartsWith("Tdx:StateDirectory is required", StringComparison.Ordinal));
    }

    [Fact]
    public void The_packaged_production_config_is_valid()
    {
        var path = Path.Combine(Dstack.Tests.SharedFiles.RepositoryRoot, "packaging", "config", "agent.json");
        var root = Microsoft.Extensions.Configuration.JsonConfigurationExtensions.AddJsonFile(new Microsoft.Extensions.Configuration.ConfigurationBuilder(), path).Build();
        var options = new Dstack.Agent.Configuration.AgentOptions();
        Microsoft.Extensions.Configuration.ConfigurationBinder.Bind(root, options);
        var result = new Dstack.Agent.Configuration.AgentOptionsValidator(new Dstack.Agent.Configuration.AgentConfiguration(root, path)).Validate(null, options);
        Assert.True(result.Succeeded, result.FailureMessage);
        Assert.Equal("linux", options.Tdx.Mode);
    }
}
