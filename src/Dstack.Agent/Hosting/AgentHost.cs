using Dstack.Agent.Api;
using Dstack.Agent.Certificates;
using Dstack.Agent.Platform;
using Dstack.Agent.Configuration;
using Dstack.Agent.Identity;
using Dstack.Agent.Methods;
using Dstack.Agent.Transport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Dstack.Agent.Hosting;

/// <summary>Builds the daemon: Kestrel on the API sockets, options, methods, systemd integration.</summary>
internal static class AgentHost
{
    /// <summary>Builds (but does not start) the daemon.</summary>
    public static WebApplication Build(AgentHostSettings settings)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = [],
            ContentRootPath = AppContext.BaseDirectory,
        });

        // Options come from the config file only, so that the unknown-key check sees exactly what the operator wrote.
        var configurationRoot = LoadConfiguration(settings);

        var services = builder.Services;
        services.AddSingleton(new AgentConfiguration(configurationRoot, settings.ConfigPath));
        services.AddSingleton<IValidateOptions<AgentOptions>, AgentOptionsValidator>();
        services.AddOptions<AgentOptions>().Bind(configurationRoot).ValidateOnStart();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(settings.Environment);
        services.AddSingleton<AgentListeners>();
        services.AddSingleton(sp => TdxPlatform.Create(sp.GetRequiredService<IOptions<AgentOptions>>().Value.Tdx, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<QuoteService>();
        services.AddSingleton<KmsCertificateSigner>();
        services.AddSingleton<CertificateService>();
        services.AddSingleton<DemoCertificate>();
        services.AddHostedService(sp => sp.GetRequiredService<DemoCertificate>());
        services.AddSingleton<IAppIdentitySource, FileAppIdentitySource>();
        services.AddSingleton<IAppKeysSource, FileAppKeysSource>();
        services.AddSingleton<Dstack.Crypto.Secp256k1.ISecp256k1>(Dstack.Crypto.Secp256k1.LibSecp256k1.Instance);
        services.AddSingleton<RpcEndpoint>();
        services.AddRpcMethods();

        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning);
        settings.ConfigureLogging?.Invoke(builder.Logging);
        // under systemd (Type=notify): READY=1 once the sockets are served, STOPPING=1 at shutdown, journal-style log lines;
        // nothing otherwise. Socket activation (LISTEN_FDNAMES) stays ours: AgentListeners.
        services.AddSystemd();
        settings.ConfigureServices?.Invoke(services);

        builder.WebHost.ConfigureKestrel(ConfigureKestrel);

        var app = builder.Build();
        var endpoint = app.Services.GetRequiredService<RpcEndpoint>();
        app.Run(endpoint.HandleAsync);
        return app;
    }

    /// <summary>The agent configuration: the config file (if any) with <see cref="AgentHostSettings.ConfigurationValues"/> over it.</summary>
    /// <exception cref="AgentStartupException">The file is missing or not JSON.</exception>
    public static IConfigurationRoot LoadConfiguration(AgentHostSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var agentConfiguration = new ConfigurationBuilder();
        if (settings.ConfigPath is not null)
        {
            var full = Path.GetFullPath(settings.ConfigPath);
            if (!File.Exists(full))
            {
                throw new AgentStartupException($"config file {full} does not exist");
            }

            agentConfiguration.AddJsonFile(full, optional: false, reloadOnChange: false);
        }

        if (settings.ConfigurationValues is { } values)
        {
            agentConfiguration.AddInMemoryCollection(values);
        }

        try
        {
            return agentConfiguration.Build();
        }
        catch (InvalidDataException ex)
        {
            throw new AgentStartupException($"config file {settings.ConfigPath} is not valid JSON: {ex.InnerException?.Message ?? ex.Message}", ex);
        }
    }

    private static void ConfigureKestrel(WebHostBuilderContext context, KestrelServerOptions kestrel)
    {
        var services = kestrel.ApplicationServices;
        var options = services.GetRequiredService<IOptions<AgentOptions>>().Value;
        var limits = options.Limits;
        kestrel.AddServerHeader = false;
        kestrel.Limits.MaxRequestBodySize = limits.MaxRequestBodyBytes;
        kestrel.Limits.KeepAliveTimeout = TimeSpan.FromSeconds(limits.KeepAliveTimeoutSeconds);
        kestrel.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(limits.RequestHeadersTimeoutSeconds);
        kestrel.Limits.MinRequestBodyDataRate = new MinDataRate(limits.MinRequestBodyBytesPerSecond, TimeSpan.FromSeconds(limits.MinRequestBodyGraceSeconds));
        kestrel.Limits.MaxConcurrentConnections = limits.MaxConnections == 0 ? null : limits.MaxConnections;
        kestrel.Limits.MaxRequestHeadersTotalSize = 64 * 1024;

        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("Dstack.Agent.Transport");
        foreach (var socket in services.GetRequiredService<AgentListeners>().Open())
        {
            var middleware = new PeerConnectionMiddleware(socket.Kind, options.Access, logger);
            kestrel.ListenHandle((ulong)socket.FileDescriptor, listen =>
            {
                listen.Protocols = HttpProtocols.Http1;
                listen.Use(middleware.Wrap);
            });
        }
    }
}
