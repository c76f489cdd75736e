using Dstack.Gov.Chain;
using Dstack.Tests;

namespace Dstack.Gov.Tests.Cli;

/// <summary>Verbs that need no chain: the compose hash, and the argument and key errors that stop a verb before any RPC.</summary>
public sealed class ComposeHashAndArgumentTests
{
    private const string App = "0x5bb4ff9a3837357f19dc176407a5709c62eb6c56";

    [Fact]
    public async Task Compose_hash_of_the_simulator_fixture_is_the_sha256_of_its_bytes()
    {
        var run = await CliRun.RunAsync("compose-hash", SharedFiles.Fixture("simulator-app-compose.json"));
        Assert.Equal("65b4e574f16973956908b6359920593c3b7d9f36f38e81a47f996a0c0d5435bb", run.Succeeded().Trim());

        var json = await CliRun.RunAsync("compose-hash", SharedFiles.Fixture("simulator-app-compose.json"), "--json");
        Assert.Contains("\"compose_hash\": \"65b4e574f16973956908b6359920593c3b7d9f36f38e81a47f996a0c0d5435bb\"", json.Succeeded(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Compose_hash_is_not_normalised_a_trailing_newline_changes_it()
    {
        using var directory = new TempDirectory();
        var original = SharedFiles.ReadFixture("simulator-app-compose.json");
        var changed = Path.Combine(directory.Path, "compose.json");
        await File.WriteAllBytesAsync(changed, [.. original, (byte)'\n']);
        var run = await CliRun.RunAsync("compose-hash", changed);
        Assert.NotEqual("65b4e574f16973956908b6359920593c3b7d9f36f38e81a47f996a0c0d5435bb", run.Succeeded().Trim());
    }

    [Fact]
    public async Task Missing_file_is_a_usage_error_naming_the_file()
    {
        var run = await CliRun.RunAsync("compose-hash", "/nonexistent/app-compose.json");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("/nonexistent/app-compose.json", run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("5bb4ff9a", "8 hex digits, an address has 40")]
    [InlineData("0x5bb4ff9a", "8 hex digits, an address has 40")]
    [InlineData("0x5bb4ff9a3837357f19dc176407a5709c62eb6cZZ", "not a hex digit")]
    [InlineData("0x5BB4ff9a3837357f19dc176407a5709c62eb6c56", "checksum")]
    public async Task Bad_addresses_say_which_argument_and_why(string address, string why)
    {
        var run = await CliRun.RunAsync("add-compose-hash", "--app", address, new string('a', 64), "--calldata");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--app", run.Error, StringComparison.Ordinal);
        Assert.Contains(why, run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0x1234", "4 hex digits; a 32-byte hash has 64")]
    [InlineData("zz", "not hex")]
    public async Task Bad_hashes_say_which_argument_and_why(string hash, string why)
    {
        var run = await CliRun.RunAsync("add-os-image", "--kms", App, hash, "--calldata");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("os-image-hash", run.Error, StringComparison.Ordinal);
        Assert.Contains(why, run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Calldata_mode_prints_the_owner_call_without_a_key_or_a_chain()
    {
        var run = await CliRun.RunAsync("add-compose-hash", "--app", App, "--compose", SharedFiles.Fixture("simulator-app-compose.json"), "--calldata");
        var text = run.Succeeded();
        Assert.Contains("data      0xdfc77223" + "65b4e574f16973956908b6359920593c3b7d9f36f38e81a47f996a0c0d5435bb", text, StringComparison.Ordinal);
        Assert.Contains("to        0x5bb4FF9A3837357F19dC176407a5709c62eB6C56", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_private_key_is_never_accepted_on_the_command_line()
    {
        var run = await CliRun.RunAsync("add-compose-hash", "--app", App, new string('a', 64), "--private-key", "0x" + new string('1', 64), "--rpc", "http://127.0.0.1:1/");
        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("--private-key", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Key_errors_never_echo_the_key_material()
    {
        using var directory = new TempDirectory();
        var file = Path.Combine(directory.Path, "key");
        const string Secret = "0xnot-a-key-but-secret-text-1234";
        File.WriteAllText(file, Secret);
        using var warnings = new StringWriter();
        var fromFile = Assert.Throws<Gov.Cli.GovUsageException>(() => KeySource.Load(file, _ => null, warnings));
        Assert.DoesNotContain("secret", fromFile.Message, StringComparison.Ordinal);
        Assert.Contains("--key-file", fromFile.Message, StringComparison.Ordinal);

        var fromEnvironment = Assert.Throws<Gov.Cli.GovUsageException>(() => KeySource.Load(null, name => name == KeySource.EnvironmentVariable ? Secret : null, warnings));
        Assert.DoesNotContain("secret", fromEnvironment.Message, StringComparison.Ordinal);
        Assert.Contains(KeySource.EnvironmentVariable, fromEnvironment.Message, StringComparison.Ordinal);

        var none = Assert.Throws<Gov.Cli.GovUsageException>(() => KeySource.Load(null, _ => null, warnings));
        Assert.Contains("--key-file FILE or set " + KeySource.EnvironmentVariable, none.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Key_from_the_environment_and_a_warning_for_a_readable_key_file()
    {
        using var fromEnvironment = KeySource.Load(null, name => name == KeySource.EnvironmentVariable ? Chain.AnvilNode.DevKeys[1] : null, TextWriter.Null);
        Assert.Equal(Chain.GovChainFixture.Address(1), fromEnvironment.Address);

        using var directory = new TempDirectory();
        var file = Path.Combine(directory.Path, "key");
        File.WriteAllText(file, Chain.AnvilNode.DevKeys[2]);
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
        using var warnings = new StringWriter();
        using var fromFile = KeySource.Load(file, _ => null, warnings);
        Assert.Equal(Chain.GovChainFixture.Address(2), fromFile.Address);
        Assert.Contains("readable by other users", warnings.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(Chain.AnvilNode.DevKeys[2][2..], warnings.ToString(), StringComparison.Ordinal);
    }
}
