using Dstack.Kms.Configuration;
using Dstack.Kms.Keys;
using Dstack.Kms.Service;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Dstack.Kms.Hosting;

/// <summary>
/// Start-up step (kms.md §2.4): load the root keys, or bootstrap them in the KMS's own TD when the store is empty.
/// A partial or corrupt store, or a failed bootstrap, stops the host with the reason.
/// </summary>
internal sealed class RootKeyStartupService(
    RootKeyStore store,
    KmsKeyHolder holder,
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
                KmsLog.OnboardingNotAvailable(logger, source);
                throw new KmsStartupException($"no root keys in {store.Directory} and onboarding from {source} needs the KMS RPC client, which this build does not include yet");
            }

            var generated = await store.BootstrapAsync(options.Value.Listen.Domain, cancellationToken).ConfigureAwait(false);
            holder.Set(generated);
            KmsLog.KeysGenerated(logger, store.Directory, generated);
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
