using System.CommandLine;
using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace Dstack.Gov.Cli;

/// <summary>
/// <c>dstack-gov compose-hash FILE</c>: the SHA-256 of the file's exact bytes, which is what the agent measures into
/// RTMR3 as the <c>compose-hash</c> event and what <c>add-compose-hash</c> must allow. No normalisation of any kind.
/// </summary>
internal static class ComposeHashCommand
{
    /// <summary>Largest app-compose.json accepted.</summary>
    public const int MaxComposeBytes = 16 * 1024 * 1024;

    public static Command Create()
    {
        var file = new Argument<string>("file") { Description = "The app-compose.json exactly as the VM will receive it" };
        var json = new Option<bool>("--json") { Description = "Machine-readable JSON output" };
        var command = new Command("compose-hash", "Print the compose hash of an app-compose.json (SHA-256 of its exact bytes)") { file, json };
        command.SetAction((parse, cancellationToken) => RunAsync(
            parse.GetValue(file)!, parse.GetValue(json), parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, cancellationToken));
        return command;
    }

    public static Task<int> RunAsync(string file, bool json, TextWriter output, TextWriter error, CancellationToken cancellationToken) =>
        VerbRunner.RunAsync("compose-hash", error, async () =>
        {
            var hash = Convert.ToHexStringLower(await HashFileAsync(file, cancellationToken).ConfigureAwait(false));
            await output.WriteLineAsync(json ? GovJson.Write(new JsonObject { ["file"] = file, ["compose_hash"] = hash }) : hash).ConfigureAwait(false);
            return ExitCodes.Success;
        });

    /// <summary>SHA-256 of the file's bytes.</summary>
    public static async Task<byte[]> HashFileAsync(string file, CancellationToken cancellationToken)
    {
        try
        {
            var info = new FileInfo(file);
            if (info.Exists && info.Length > MaxComposeBytes)
            {
                throw new GovUsageException($"'{file}' is larger than {MaxComposeBytes} bytes; that is not an app-compose.json");
            }

            var bytes = await File.ReadAllBytesAsync(file, cancellationToken).ConfigureAwait(false);
            return SHA256.HashData(bytes);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new GovUsageException($"cannot read '{file}': {e.Message}");
        }
    }
}
