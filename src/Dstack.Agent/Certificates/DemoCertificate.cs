using System.Security.Cryptography;
using Dstack.Agent.Api;
using Dstack.Agent.Hosting;
using Dstack.Crypto.Kdf;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Dstack.Agent.Certificates;

/// <summary>
/// <c>Info.app_cert</c> (spec §4.4): a certificate for a fresh P-256 key, subject <c>demo-cert</c>, clientAuth only,
/// RA-TLS attestation included, default validity, from the app CA or (key provider <c>Kms</c>) the KMS. The first
/// issuance runs at start-up, before the sockets serve (waited for at most <see cref="StartupWait"/>; it goes on in the
/// background after that); an <c>Info</c> that finds no chain starts another (never two at once) and answers <c>""</c>
/// unless it completes within <see cref="InfoWait"/> — <c>Info</c> stays fast (the SDKs' <c>isReachable</c> gives it
/// 500 ms) even when the KMS is slow or down. Once an issuance succeeds the chain is kept.
/// </summary>
internal sealed class DemoCertificate(CertificateService certificates, TimeProvider timeProvider, ILogger<DemoCertificate> logger) : IHostedService, IDisposable
{
    /// <summary>How long start-up waits for the first issuance.</summary>
    public static readonly TimeSpan StartupWait = TimeSpan.FromSeconds(5);

    /// <summary>How long <c>Info</c> waits for a running issuance before it answers <c>""</c>.</summary>
    public static readonly TimeSpan InfoWait = TimeSpan.FromMilliseconds(100);

    private readonly Lock _lock = new();
    private readonly CancellationTokenSource _stopping = new();
    private string? _chain;
    private Task<string?>? _issuing;

    /// <summary>The chain PEMs joined with a newline, or <c>""</c>; starts an issuance when there is none.</summary>
    public async Task<string> GetAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _chain) is { } cached)
        {
            return cached;
        }

        try
        {
            return await Start().WaitAsync(InfoWait, timeProvider, cancellationToken).ConfigureAwait(false) ?? "";
        }
        catch (TimeoutException)
        {
            return "";
        }
    }

    /// <inheritdoc />
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Start().WaitAsync(StartupWait, timeProvider, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // still issuing (a slow KMS): serve now, Info reports "" until it completes
        }
    }

    /// <inheritdoc />
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        Task? issuing;
        lock (_lock)
        {
            issuing = _issuing;
        }

        if (issuing is not null)
        {
            // let a running issuance end (it sees the cancellation) before the host disposes what it uses
            var ended = issuing.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
            try
            {
                await ended.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
            }
        }
    }

    /// <inheritdoc />
    public void Dispose() => _stopping.Dispose();

    /// <summary>The running issuance, or a new one when there is none (and no chain yet).</summary>
    private Task<string?> Start()
    {
        lock (_lock)
        {
            if (_chain is { } chain)
            {
                return Task.FromResult<string?>(chain);
            }

            return _issuing ??= Task.Run(IssueAsync);
        }
    }

    private async Task<string?> IssueAsync()
    {
        string? chain = null;
        var key = DstackKdf.NewRandomP256PrivateKey();
        try
        {
            var response = await certificates.IssueAsync(key, new LeafCertificateRequest
            {
                Subject = "demo-cert",
                UsageRaTls = true,
                UsageClientAuth = true,
            }, _stopping.Token).ConfigureAwait(false);
            chain = string.Join("\n", response.CertificateChain);
        }
        catch (RpcException ex)
        {
            AgentLog.DemoCertificateFailed(logger, ex.Message);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
            lock (_lock)
            {
                _chain = chain;
                _issuing = null;
            }
        }

        return chain;
    }
}
