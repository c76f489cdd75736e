using Dstack.Agent.Configuration;
using Dstack.Agent.Hosting;
using Dstack.Agent.Platform;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Dstack.Agent.Boot;

/// <summary>The services of <c>dstack-agent boot</c>: the agent's validated options, the TDX platform, quotes, the boot sequence.</summary>
internal static class BootHost
{
    /// <summary>Builds the provider; options are validated when first read.</summary>
    public static ServiceProvider Build(AgentHostSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var configurationRoot = AgentHost.LoadConfiguration(settings);
        var services = new ServiceCollection();
        services.AddSingleton(new AgentConfiguration(configurationRoot, settings.ConfigPath));
        services.AddSingleton<IValidateOptions<AgentOptions>, AgentOptionsValidator>();
        services.AddOptions<AgentOptions>().Bind(configurationRoot);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(sp => TdxPlatform.Create(sp.GetRequiredService<IOptions<AgentOptions>>().Value.Tdx, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<QuoteService>();
        services.AddSingleton<BootSequence>();
        services.AddLogging(logging =>
        {
            logging.AddSimpleConsole(o => o.SingleLine = true);
            settings.ConfigureLogging?.Invoke(logging);
        });
        settings.ConfigureServices?.Invoke(services);
        return services.BuildServiceProvider();
    }

    /// <summary>
    /// Boots and reports on <paramref name="error"/>; returns the exit code: 0 booted (or already booted), 1 a step
    /// failed, 2 invalid configuration. With <paramref name="onlyIfRequested"/> (the first stage of <c>run</c>) it does
    /// nothing unless <c>Boot:BeforeServing</c> is set and the keys file is missing.
    /// </summary>
    public static async Task<int> RunAsync(AgentHostSettings settings, TextWriter error, bool onlyIfRequested, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(error);
        try
        {
            await using var provider = Build(settings);
            var options = provider.GetRequiredService<IOptions<AgentOptions>>().Value;
            if (onlyIfRequested && (!options.Boot.BeforeServing || File.Exists(options.Files.AppKeys)))
            {
                return 0;
            }

            var logger = provider.GetRequiredService<ILogger<BootSequence>>();
            try
            {
                await provider.GetRequiredService<BootSequence>().RunAsync(cancellationToken).ConfigureAwait(false);
                return 0;
            }
            catch (BootException ex)
            {
                BootLog.Failed(logger, ex.Message);
                await error.WriteLineAsync("dstack-agent boot: " + ex.Message).ConfigureAwait(false);
                return 1;
            }
        }
        catch (OptionsValidationException ex)
        {
            await error.WriteLineAsync("dstack-agent: invalid configuration:").ConfigureAwait(false);
            foreach (var failure in ex.Failures)
            {
                await error.WriteLineAsync("  - " + failure).ConfigureAwait(false);
            }

            return 2;
        }
        catch (AgentStartupException ex)
        {
            await error.WriteLineAsync("dstack-agent: " + ex.Message).ConfigureAwait(false);
            return 1;
        }
    }
}
