using System.CommandLine;
using Dstack.Kms.Authorization;
using Dstack.Kms.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Dstack.Kms.Cli;

/// <summary>
/// <c>dstack-kms identity --config FILE</c>: prints this instance's identity, the BootInfo its policy is asked about in
/// self-authorization (the <c>bootAuth/kms</c> JSON: <c>appId</c>, <c>mrAggregated</c>, <c>deviceId</c>,
/// <c>osImageHash</c>, …), computed from its real TD exactly as self-authorization does, so that an operator can allow it
/// (policy file <c>kms</c> section, <c>dstack-gov add-kms-mr</c> / <c>add-kms-device</c> / <c>add-os-image</c>).
/// </summary>
internal static class IdentityCommand
{
    /// <summary>Builds the verb.</summary>
    public static Command Create()
    {
        var config = new Option<FileInfo>("--config", "-c")
        {
            Description = "JSON configuration file of the instance (its TDX device, trust root and Onboarding:VmConfig are used)",
            Required = true,
        };
        var command = new Command("identity", "Print this KMS's own identity (BootInfo JSON) as its policy sees it in self-authorization") { config };
        command.SetAction((parse, cancellationToken) =>
            RunAsync(
                new KmsHostSettings { ConfigPath = parse.GetValue(config)!.FullName, ConfigureLogging = l => l.ClearProviders() }, Console.Out, Console.Error, cancellationToken));
        return command;
    }

    /// <summary>Writes the identity JSON to <paramref name="output"/>; returns 0, 1 when it cannot be determined, 2 for an invalid configuration.</summary>
    public static async Task<int> RunAsync(KmsHostSettings settings, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        var (code, identity) = await IdentifyAsync(settings, error, cancellationToken).ConfigureAwait(false);
        if (identity is not null)
        {
            // indented, one field a line (shell scripts pick fields with sed)
            using var document = System.Text.Json.JsonDocument.Parse(identity.ToJson());
            using var buffer = new MemoryStream();
            using (var writer = new System.Text.Json.Utf8JsonWriter(buffer, new System.Text.Json.JsonWriterOptions { Indented = true }))
            {
                document.WriteTo(writer);
            }

            await output.WriteLineAsync(System.Text.Encoding.UTF8.GetString(buffer.ToArray())).ConfigureAwait(false);
        }

        return code;
    }

    /// <summary>
    /// The identity of the instance <paramref name="settings"/> describe (its configuration validated as for <c>run</c>,
    /// no policy asked, nothing served), or the exit code and the reason on <paramref name="error"/>.
    /// </summary>
    public static async Task<(int Code, Authentication.BootInfo? Identity)> IdentifyAsync(KmsHostSettings settings, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(error);
        try
        {
            await using var app = KmsHost.Build(new KmsHostSettings
            {
                ConfigPath = settings.ConfigPath,
                ConfigurationValues = settings.ConfigurationValues,
                ConfigureLogging = settings.ConfigureLogging,
                ConfigureServices = settings.ConfigureServices,
                MapEndpoints = false,
            });
            var identity = await app.Services.GetRequiredService<KmsIdentity>().IdentifyAsync(cancellationToken).ConfigureAwait(false);
            if (!identity.IsSuccess)
            {
                await error.WriteLineAsync("dstack-kms: this instance has no verifiable identity: " + identity.Refusal.Reason).ConfigureAwait(false);
                return (1, null);
            }

            return (0, identity.Value.BootInfo);
        }
        catch (OptionsValidationException ex)
        {
            return (await InvalidConfiguration.ReportAsync(error, ex).ConfigureAwait(false), null);
        }
        catch (KmsStartupException ex)
        {
            await error.WriteLineAsync("dstack-kms: " + ex.Message).ConfigureAwait(false);
            return (1, null);
        }
    }
}
