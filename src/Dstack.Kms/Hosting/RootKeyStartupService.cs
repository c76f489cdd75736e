using Dstack.Kms.Authorization;
using Dstack.Kms.Configuration;
using Dstack.Kms.Keys;
using Dstack.Kms.Onboarding;
using Dstack.Kms.Service;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Dstack.Kms.Hosting;

/// <summary>
/// Start-up step (kms.md §2.4): load the root keys; when the store is empty, obtain them from the source KMS of
/// <c>Onboarding:SourceUrl</c> (kms.md §2.3, retried while the source is unreachable) or else bootstrap them in the KMS's
/// own TD. A partial or corrupt store, a refused onboarding or a failed bootstrap stops the host with the reason.
/// </summary>
internal sealed class RootKeyStartupService(
    RootKeyStore store,
    KmsKeyHolder holder,
    KmsOnboarding onboarding,
    KmsIdentity identity,
    IOptions<KmsOptions> options,
    ILogger<RootKeyStartupService> logger) : IHostedService
{
    /// <inheritdoc />
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (store.KeysExist)
            {
                var keys = store.Load();
                holder.Set(keys);
                KmsLog.KeysLoaded(logger, store.Directory, keys);
                return;
            }

            if (options.Value.Onboarding.SourceUrl is { Length: > 0 } source)
            {
                KmsLog.OnboardingStarted(logger, store.Directory, source);
                var onboarded = await onboarding.OnboardAsync(
                    new Uri(source), options.Value.Listen.Domain, identity.VmConfig, cancellationToken).ConfigureAwait(false);
                holder.Set(onboarded);
                return;
            }

            var generated = await store.BootstrapAsync(options.Value.Listen.Domain, cancellationToken).ConfigureAwait(false);
            holder.Set(generated);
            KmsLog.KeysGenerated(logger, store.Directory, generated);
        }
        catch (OnboardingException ex)
        {
            var message = $"onboarding from {options.Value.Onboarding.SourceUrl} failed: {ex.Message}";
            KmsLog.StartupFailed(logger, message);
            throw new KmsStartupException(message, ex);
        }
        catch (KeyStoreException ex)
        {
            KmsLog.StartupFailed(logger, ex.Message);
            throw new KmsStartupException(ex.Message, ex);
        }
    }

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
