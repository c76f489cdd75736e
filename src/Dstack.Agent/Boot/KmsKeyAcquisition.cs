using System.Globalization;
using Microsoft.Extensions.Logging;

namespace Dstack.Agent.Boot;

/// <summary>
/// Tries the KMS URLs in order until one releases the keys. Unlike the reference (one pass, then the VM reboots), a pass
/// in which every KMS was unreachable is repeated after a delay that doubles up to <see cref="BootOptions.KmsRetryMaxDelaySeconds"/>,
/// every failure logged, until <see cref="BootOptions.KmsRetryTimeoutSeconds"/> (if set). A KMS that refuses ends the
/// boot at once with its reason; a URL that is not this VM's KMS is not asked again, and when none is left the boot fails.
/// </summary>
internal sealed class KmsKeyAcquisition(KmsKeyRequester requester, BootOptions options, TimeProvider timeProvider, ILogger logger)
{
    /// <summary>Step name used in errors.</summary>
    public const string Step = "request app keys";

    /// <summary>Obtains the keys.</summary>
    /// <exception cref="BootException">Refused, no usable URL, or the configured wait is over.</exception>
    public async Task<KmsAppKeys> AcquireAsync(BootInputs inputs, byte[]? measuredRootCa, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.KmsUrls.Count == 0)
        {
            throw new BootException(Step, "No KMS URLs are set (sys-config kms_urls is empty)");
        }

        var active = inputs.KmsUrls.ToList();
        var giveUpAt = options.KmsRetryTimeoutSeconds > 0 ? timeProvider.GetUtcNow() + TimeSpan.FromSeconds(options.KmsRetryTimeoutSeconds) : (DateTimeOffset?)null;
        var delay = TimeSpan.FromMilliseconds(options.KmsRetryInitialDelayMilliseconds);
        var maxDelay = TimeSpan.FromSeconds(options.KmsRetryMaxDelaySeconds);
        var permanent = new List<string>();
        for (var pass = 1; ; pass++)
        {
            var failures = new List<string>();
            foreach (var url in active.ToList())
            {
                try
                {
                    var keys = await requester.RequestAsync(url, inputs, measuredRootCa, cancellationToken).ConfigureAwait(false);
                    BootLog.KmsKeysReceived(logger, url, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(keys.RootCaSubjectPublicKeyInfo))[..16]);
                    return keys;
                }
                catch (KmsAttemptException ex)
                {
                    BootLog.KmsAttemptFailed(logger, url, ex.Step, ex.Reason);
                    switch (ex.Kind)
                    {
                        case KmsFailureKind.Refused:
                            throw new BootException(Step, ex.Message, ex);
                        case KmsFailureKind.WrongKms:
                            active.Remove(url);
                            permanent.Add(ex.Message);
                            break;
                        default:
                            failures.Add(ex.Message);
                            break;
                    }
                }
            }

            if (active.Count == 0)
            {
                throw new BootException(Step, "no KMS URL can serve this VM: " + string.Join("; ", permanent));
            }

            if (giveUpAt is { } end && timeProvider.GetUtcNow() + delay > end)
            {
                throw new BootException(Step, string.Create(CultureInfo.InvariantCulture,
                    $"no KMS released the keys within {options.KmsRetryTimeoutSeconds} s ({pass} passes); last errors: {string.Join("; ", failures.Concat(permanent))}"));
            }

            BootLog.KmsRetrying(logger, pass, delay);
            await Task.Delay(delay, timeProvider, cancellationToken).ConfigureAwait(false);
            delay = delay * 2 > maxDelay ? maxDelay : delay * 2;
        }
    }
}
