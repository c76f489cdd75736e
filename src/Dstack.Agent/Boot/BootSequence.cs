using Dstack.Agent.Configuration;
using Dstack.Agent.Platform;
using Dstack.Attestation.EventLog;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Dstack.Agent.Boot;

/// <summary>
/// <c>dstack-agent boot</c> for the KMS key provider (tdx-boot §4.2–4.3), as a resumable sequence of steps, each
/// followed by the event that measures it:
/// <list type="number">
/// <item>read app-compose, sys-config, <c>.instance_info</c>; compute compose hash, app id, instance id; persist the
/// seed → <c>system-preparing</c>, <c>app-id</c>, <c>compose-hash</c>, <c>instance-id</c>, <c>boot-mr-done</c>;</item>
/// <item>keys from the KMS URLs over gRPC + RA-TLS → <c>os-image-hash</c>, <c>key-provider</c>;</item>
/// <item>decrypt the env (<c>allowed_envs</c> enforced);</item>
/// <item>the storage command with the disk key → <c>storage-fs</c>;</item>
/// <item>write <c>.appkeys.json</c> → <c>system-ready</c>.</item>
/// </list>
/// The runtime event log is the state: a rerun after a failure re-checks what is measured, skips those events, and
/// continues (see <see cref="BootJournal"/>); keys are fetched again because they are never kept outside the keys file.
/// </summary>
internal sealed class BootSequence(IOptions<AgentOptions> options, TdxPlatform platform, QuoteService quotes, TimeProvider timeProvider, ILogger<BootSequence> logger)
{
    /// <summary>Runs (or resumes) the boot.</summary>
    /// <exception cref="BootException">A step failed; the message names it.</exception>
    public async Task<BootOutcome> RunAsync(CancellationToken cancellationToken)
    {
        var files = options.Value.Files;
        var boot = options.Value.Boot;
        var inputs = await BootInputs.LoadAsync(files, boot, cancellationToken).ConfigureAwait(false);
        string appId = Convert.ToHexStringLower(inputs.AppId), composeHash = Convert.ToHexStringLower(inputs.ComposeHash);
        var instanceId = Convert.ToHexStringLower(inputs.InstanceId);
        BootLog.Identity(logger, appId, composeHash, instanceId, inputs.KeyProvider);

        if (inputs.KeyProvider != "kms")
        {
            throw new BootException("select key provider", $"app-compose selects the '{inputs.KeyProvider}' key provider; dstack-agent boot supports only 'kms' so far");
        }

        var journal = await BootJournal.OpenAsync(platform.Events, logger, cancellationToken).ConfigureAwait(false);
        if (journal.Measured("instance-id") is null)
        {
            // the seed must be on disk before the instance id derived from it is measured
            await inputs.WriteInstanceInfoAsync(files.InstanceInfo, cancellationToken).ConfigureAwait(false);
        }

        await journal.EmitOnceAsync("system-preparing", [], cancellationToken).ConfigureAwait(false);
        await journal.EmitOnceAsync("app-id", inputs.AppId, cancellationToken).ConfigureAwait(false);
        await journal.EmitOnceAsync("compose-hash", inputs.ComposeHash, cancellationToken).ConfigureAwait(false);
        await journal.EmitOnceAsync("instance-id", inputs.InstanceId, cancellationToken).ConfigureAwait(false);
        await journal.EmitOnceAsync(AppInfoCalculator.BootMrDone, [], cancellationToken).ConfigureAwait(false);
        if (journal.Contains(AppInfoCalculator.SystemReady) && File.Exists(files.AppKeys))
        {
            BootLog.AlreadyBooted(logger, files.AppKeys);
            return new BootOutcome(true, journal.Emitted);
        }

        byte[]? measuredRootCa = null;
        if (journal.Measured("key-provider") is { } measuredProvider)
        {
            measuredRootCa = KeyProviderPayload.ReadKmsId(measuredProvider)
                ?? throw new BootException(KmsKeyAcquisition.Step, "the measured key-provider event does not name a KMS; this TD booted with another key provider: restart the CVM");
        }

        var acquisition = new KmsKeyAcquisition(new KmsKeyRequester(quotes, boot, timeProvider), boot, timeProvider, logger);
        var keys = await acquisition.AcquireAsync(inputs, measuredRootCa, cancellationToken).ConfigureAwait(false);
        await journal.EmitOnceAsync("os-image-hash", keys.Response.OsImageHash.ToByteArray(), cancellationToken).ConfigureAwait(false);
        await journal.EmitOnceAsync("key-provider", keys.KeyProviderInfo, cancellationToken).ConfigureAwait(false);

        await EnvironmentStep.RunAsync(files, keys.Response.EnvCryptKey.Memory, inputs.AllowedEnvs, logger, cancellationToken).ConfigureAwait(false);

        var storageFs = System.Text.Encoding.ASCII.GetBytes(inputs.StorageFs);
        if (journal.Recorded("storage-fs") is null)
        {
            await StorageStep.RunAsync(boot.Storage, keys.Response.DiskCryptKey.Memory, inputs.StorageFs, inputs.StorageEncrypted, logger, cancellationToken).ConfigureAwait(false);
        }

        await journal.EmitOnceAsync("storage-fs", storageFs, cancellationToken).ConfigureAwait(false);
        await AppKeysFile.WriteAsync(files.AppKeys, keys, cancellationToken).ConfigureAwait(false);
        await journal.EmitOnceAsync(AppInfoCalculator.SystemReady, [], cancellationToken).ConfigureAwait(false);
        BootLog.Completed(logger, journal.Emitted, files.AppKeys);
        return new BootOutcome(false, journal.Emitted);
    }
}
