using Dstack.Kms.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Dstack.Kms.Policies;

/// <summary>
/// Start-up step: builds the configured policy (so a bad policy file or on-chain setting stops the start, not the first
/// request) and runs its <see cref="IPolicyStartupCheck"/>, if any. A failure stops the host with the reason.
/// </summary>
internal sealed class PolicyStartupService(IKmsPolicy policy, ILogger<PolicyStartupService> logger) : IHostedService
{
    /// <inheritdoc />
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (policy is not IPolicyStartupCheck check)
        {
            return;
        }

        try
        {
            await check.CheckAtStartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (PolicyBackendException ex)
        {
            KmsLog.StartupFailed(logger, ex.Message);
            throw new KmsStartupException(ex.Message, ex);
        }
    }

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
