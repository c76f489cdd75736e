using System.Net;
using Dstack.Attestation.Dcap.Pccs;
using Dstack.Attestation.Devices;
using Dstack.Attestation.EventLog;
using Dstack.Crypto.Secp256k1;
using Dstack.Kms.Authentication;
using Dstack.Kms.Authorization;
using Dstack.Kms.Collateral;
using Dstack.Kms.Configuration;
using Dstack.Kms.Images;
using Dstack.Kms.Keys;
using Dstack.Kms.Onboarding;
using Dstack.Kms.Policies;
using Dstack.Kms.Service;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Dstack.Kms.Hosting;

/// <summary>Builds the daemon: validated options, trust root, policy, root keys, the service and the TLS listener.</summary>
internal static class KmsHost
{
    /// <summary>Builds (but does not start) the daemon.</summary>
    /// <exception cref="KmsStartupException">The config file is missing or not JSON.</exception>
    public static WebApplication Build(KmsHostSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        var configurationRoot = LoadConfiguration(settings);
        var services = builder.Services;
        services.AddSingleton(new KmsConfiguration(configurationRoot, settings.ConfigPath));
        services.AddSingleton<IValidateOptions<KmsOptions>, KmsOptionsValidator>();
        services.AddOptions<KmsOptions>().Bind(configurationRoot).ValidateOnStart();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<ISecp256k1>(LibSecp256k1.Instance);
        services.AddSingleton(CreateTrustAnchor);
        AddCollateral(services);
        services.AddSingleton<SimulatedTdHandle>();
        services.AddSingleton(CreateDevice);
        services.AddSingleton<IKmsAttestationSource>(CreateAttestationSource);
        services.AddSingleton(sp => new RootKeyStore(
            Options(sp).KeyStore.Directory, sp.GetRequiredService<ISecp256k1>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<IKmsAttestationSource>()));
        services.AddSingleton<KmsKeyHolder>();
        services.AddSingleton(sp => new CallerAuthenticator(
            sp.GetRequiredService<KmsTrustAnchor>(),
            Options(sp).Attestation.AllowDebugTds,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ICollateralSource>(),
            Options(sp).Collateral.IsRequired(Options(sp).Production)));
        services.AddSingleton(CreatePolicy);
        services.AddSingleton(CreateOsImageCheck);
        services.AddSingleton(sp => new KmsAuthorization(sp.GetRequiredService<IKmsPolicy>(), sp.GetRequiredService<OsImageCheck>()));
        services.AddSingleton(sp => new KmsIdentity(
            sp.GetRequiredService<IKmsAttestationSource>(), sp.GetRequiredService<CallerAuthenticator>(), OwnVmConfig(sp)));
        services.AddSingleton(sp => new SelfAuthorization(
            sp.GetRequiredService<KmsIdentity>(), sp.GetRequiredService<KmsAuthorization>(), Options(sp).Policy.EnforceSelfAuthorization, Logger(sp)));
        services.AddSingleton<KmsService>();
        services.AddSingleton(sp => new KmsOnboarding(
            sp.GetRequiredService<RootKeyStore>(),
            sp.GetRequiredService<IKmsAttestationSource>(),
            sp.GetRequiredService<CallerAuthenticator>(),
            sp.GetRequiredService<KmsAuthorization>(),
            sp.GetRequiredService<ISecp256k1>(),
            sp.GetRequiredService<TimeProvider>(),
            Logger(sp)));
        // the policy backend is checked (chain id, contract code) before the root keys are loaded or onboarded
        services.AddHostedService<PolicyStartupService>();
        services.AddHostedService<RootKeyStartupService>();
        // after the root keys, before the listener: key releases are refused until the policy allows this KMS itself
        services.AddHostedService(sp => new SelfAuthorizationService(
            sp.GetRequiredService<SelfAuthorization>(),
            sp.GetRequiredService<IKmsPolicy>(),
            TimeSpan.FromSeconds(Options(sp).Policy.SelfAuthorizationIntervalSeconds),
            sp.GetRequiredService<TimeProvider>(),
            Logger(sp)));
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        settings.ConfigureLogging?.Invoke(builder.Logging);
        settings.ConfigureServices?.Invoke(services);
        builder.WebHost.ConfigureKestrel((context, kestrel) => ConfigureKestrel(kestrel, settings));
        var app = builder.Build();
        if (settings.MapEndpoints)
        {
            app.MapKmsEndpoints();
        }

        return app;
    }

    private static IConfigurationRoot LoadConfiguration(KmsHostSettings settings)
    {
        if (settings.ConfigPath is not { } path)
        {
            return new ConfigurationBuilder()
                .AddInMemoryCollection(settings.ConfigurationValues ?? throw new KmsStartupException("no configuration: set a config file or configuration values"))
                .Build();
        }

        var full = Path.GetFullPath(path);
        if (!File.Exists(full))
        {
            throw new KmsStartupException($"config file {full} does not exist");
        }

        try
        {
            return new ConfigurationBuilder().AddJsonFile(full, optional: false, reloadOnChange: false).Build();
        }
        catch (InvalidDataException ex)
        {
            throw new KmsStartupException($"config file {full} is not valid JSON: {ex.InnerException?.Message ?? ex.Message}", ex);
        }
    }

    private static KmsOptions Options(IServiceProvider services) => services.GetRequiredService<IOptions<KmsOptions>>().Value;

    private static KmsTrustAnchor CreateTrustAnchor(IServiceProvider services)
    {
        var options = Options(services);
        var anchor = string.Equals(options.TrustRoot.Kind, TrustRootOptions.Simulated, StringComparison.OrdinalIgnoreCase)
            ? SimulatedAnchor(options.TrustRoot.SimulatedStateDirectory!, services.GetRequiredService<TimeProvider>())
            : KmsTrustAnchor.Intel();
        var logger = Logger(services);
        if (logger.IsEnabled(LogLevel.Information))
        {
            KmsLog.TrustConfigured(logger, anchor.Root.Name, anchor.Root.PublicKeyFingerprint, options.Policy.Kind);
        }

        return anchor;
    }

    private static KmsTrustAnchor SimulatedAnchor(string stateDirectory, TimeProvider timeProvider)
    {
        try
        {
            return KmsTrustAnchor.Simulated(stateDirectory, timeProvider);
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException)
        {
            throw new KmsStartupException($"TrustRoot:SimulatedStateDirectory: {ex.Message}", ex);
        }
    }

    private static ITdxDevice CreateDevice(IServiceProvider services)
    {
        var tdx = Options(services).Tdx;
        return string.Equals(tdx.Mode, TdxOptions.Simulated, StringComparison.OrdinalIgnoreCase)
            ? services.GetRequiredService<SimulatedTdHandle>().Td.Device
            : new LinuxTdxDevice();
    }

    private static TdxAttestationSource CreateAttestationSource(IServiceProvider services)
    {
        var tdx = Options(services).Tdx;
        var simulated = string.Equals(tdx.Mode, TdxOptions.Simulated, StringComparison.OrdinalIgnoreCase);
        var log = Path.Combine(Path.GetFullPath(simulated ? tdx.StateDirectory! : tdx.RuntimeLogDirectory), RuntimeEventLog.FileName);
        return new TdxAttestationSource(services.GetRequiredService<ITdxDevice>(), log);
    }

    private static IKmsPolicy CreatePolicy(IServiceProvider services)
    {
        var options = Options(services);
        var policy = options.Policy;
        var logger = Logger(services);
        try
        {
            return policy.Kind.ToLowerInvariant() switch
            {
                PolicyOptions.File => new FilePolicy(policy.Path!, logger),
                PolicyOptions.Webhook => new WebhookPolicy(
                    WebhookPolicy.CreateHttpClient(), new Uri(policy.WebhookUrl!), TimeSpan.FromSeconds(policy.WebhookTimeoutSeconds), services.GetRequiredService<TimeProvider>(), logger),
                PolicyOptions.OnChain => OnChainPolicy.FromOptions(policy, services.GetRequiredService<TimeProvider>(), logger),
                _ => new DevPolicy(services.GetRequiredService<KmsTrustAnchor>(), policy.DevGatewayAppId),
            };
        }
        catch (Exception ex) when (ex is PolicyBackendException or InvalidOperationException)
        {
            throw new KmsStartupException(ex.Message, ex);
        }
    }

    /// <summary>
    /// This instance's <c>vm_config</c>: <c>Onboarding:VmConfig</c>, else, on a simulated TD, the one of the OS image that
    /// TD boots (so that a simulated KMS passes its own OS-image check without configuration).
    /// </summary>
    private static string OwnVmConfig(IServiceProvider services)
    {
        var options = Options(services);
        return options.Onboarding.VmConfig.Length == 0 && string.Equals(options.Tdx.Mode, TdxOptions.Simulated, StringComparison.OrdinalIgnoreCase)
            ? services.GetRequiredService<SimulatedTdHandle>().Td.VmConfig
            : options.Onboarding.VmConfig;
    }

    private static OsImageCheck CreateOsImageCheck(IServiceProvider services)
    {
        var image = Options(services).Image;
        var logger = Logger(services);
        var store = image.Verify && !string.IsNullOrWhiteSpace(image.CacheDirectory)
            ? new OsImageBundleStore(image, OsImageBundleStore.CreateHttpClient(), services.GetRequiredService<TimeProvider>(), logger)
            : null;
        return new OsImageCheck(image, store, logger);
    }

    /// <summary>
    /// The collateral source: a <see cref="CollateralCache"/> over the configured PCCS, or over Phala's PCCS under Intel's
    /// root, or over the <see cref="SimulatedPccs"/> (started first among the hosted services) under a simulated root.
    /// </summary>
    private static void AddCollateral(IServiceCollection services)
    {
        services.AddSingleton(sp => new SimulatedPccs(
            Options(sp).Collateral.PccsUrl is null ? sp.GetRequiredService<KmsTrustAnchor>().Pki : null, sp.GetRequiredService<TimeProvider>()));
        services.AddHostedService(sp => sp.GetRequiredService<SimulatedPccs>());
        services.AddSingleton(sp =>
        {
            var options = Options(sp);
            var simulated = sp.GetRequiredService<SimulatedPccs>();
            var http = new HttpClient { Timeout = TimeSpan.FromSeconds(options.Collateral.FetchTimeoutSeconds) };
            var logger = Logger(sp);
            var source = options.Collateral.PccsUrl ?? (simulated.IsEnabled ? "the simulated platform's PCCS on loopback" : PccsProtocol.PhalaPccsUrl);
            var required = options.Collateral.IsRequired(options.Production);
            CollateralLog.Configured(logger, source, required, options.Collateral.CacheDirectory ?? "(memory only)");
            return new CollateralCache(
                () => new PccsClient(http, options.Collateral.PccsUrl ?? (simulated.IsEnabled ? simulated.EnsureStarted() : PccsProtocol.PhalaPccsUrl)),
                options.Collateral.CacheDirectory,
                sp.GetRequiredService<TimeProvider>(),
                logger);
        });
        services.AddSingleton<ICollateralSource>(sp => new PccsCollateralSource(sp.GetRequiredService<CollateralCache>()));
        services.AddHostedService(sp => new CollateralRefreshService(
            sp.GetRequiredService<CollateralCache>(),
            TimeSpan.FromSeconds(Options(sp).Collateral.RefreshCheckSeconds),
            sp.GetRequiredService<TimeProvider>(),
            Logger(sp)));
    }

    private static ILogger Logger(IServiceProvider services) => services.GetRequiredService<ILoggerFactory>().CreateLogger("Dstack.Kms");

    private static void ConfigureKestrel(KestrelServerOptions kestrel, KmsHostSettings settings)
    {
        var services = kestrel.ApplicationServices;
        var listen = Options(services).Listen;
        var holder = services.GetRequiredService<KmsKeyHolder>();
        X509CertificateCache? cache = null;
        kestrel.AddServerHeader = false;
        KmsListenerLimits.Apply(kestrel.Limits);
        settings.ConfigureListenerLimits?.Invoke(kestrel.Limits);
        kestrel.Listen(IPAddress.Parse(listen.Address), listen.Port, endpoint =>
        {
            endpoint.Protocols = HttpProtocols.Http1AndHttp2;
            endpoint.UseHttps(new HttpsConnectionAdapterOptions
            {
                HandshakeTimeout = KmsListenerLimits.TlsHandshakeTimeout,
                // the certificate appears once the root keys are loaded at start-up
                ServerCertificateSelector = (_, _) => holder.Keys is { } keys ? (cache ??= new X509CertificateCache(keys.CreateRpcServerCertificate())).Certificate : null,
                // RA-TLS: a client certificate is optional, and must chain to the temp CA when present; the attestation
                // inside it is what authenticates the caller (KmsService)
                ClientCertificateMode = ClientCertificateMode.AllowCertificate,
                ClientCertificateValidation = (certificate, _, _) =>
                    holder.Keys is { } keys && TempCaClientCertificates.ChainsTo(certificate, keys.TempCaCertificate),
            });
        });
    }
}
