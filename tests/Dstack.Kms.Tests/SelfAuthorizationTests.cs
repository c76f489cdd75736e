using Dstack.Kms.Authentication;
using Dstack.Kms.Authorization;
using Dstack.Kms.Hosting;
using Dstack.Kms.Policies;
using Dstack.Kms.Service;
using Dstack.Rpc;
using Dstack.Tests;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Dstack.Kms.Tests;

/// <summary>
/// Self-authorization over the real parts of <see cref="KmsTestBed"/> (the KMS's own simulated TD, the caller
/// verification, the file policy), re-checked by <see cref="SelfAuthorizationService"/> on virtual time.
/// </summary>
public sealed class SelfAuthorizationTests
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_reloaded_policy_that_drops_the_kms_refuses_every_key_release_and_allowing_it_again_serves_again()
    {
        using var bed = await KmsTestBed.CreateAsync();
        var time = new FakeTimeProvider();
        using var self = bed.CreateSelfAuthorization(bed.Policy);
        using var service = new SelfAuthorizationService(self, bed.Policy, Interval, time, NullLogger.Instance);
        var kms = bed.CreateService(bed.Holder, bed.Policy, self: self);
        await service.StartAsync(None);
        var before = await GetAppKeyAsync(bed, kms);

        await UntilAsync(self, s => s.Status == SelfAuthorizationStatus.Denied, () =>
        {
            bed.WritePolicy(KmsTestBed.AllowingPolicy(), allowSelf: false);
            _ = bed.Policy.Current; // picks up the new file (the watcher may do so first)
        });
        var appKey = await GetAppKeyAsync(bed, kms);
        var signCert = await kms.SignCertAsync(new SignCertRequest(2, [1, 2, 3], [4], KmsTestBed.VmConfig), None);
        using var peerCert = await KmsTestBed.CreateCallerCertificateAsync(bed.Caller, KmsTestBed.VmConfig);
        var kmsKey = await kms.GetKmsKeyAsync(new KmsKeyRequest(peerCert, KmsTestBed.VmConfig), None);
        var meta = await kms.GetMetaAsync(None);
        var tempCa = kms.GetTempCaCert();
        var envKey = kms.GetAppEnvEncryptPublicKey(KmsTestBed.AppId);

        await UntilAsync(self, s => s.Status == SelfAuthorizationStatus.Allowed, () =>
        {
            bed.WritePolicy(KmsTestBed.AllowingPolicy());
            _ = bed.Policy.Current;
        });
        var after = await GetAppKeyAsync(bed, kms);
        await service.StopAsync(None);

        Assert.True(before.IsSuccess, before.Refusal?.Reason);
        foreach (var refusal in new[] { appKey.Refusal, signCert.Refusal, kmsKey.Refusal })
        {
            Assert.Equal(KmsRefusalKind.Denied, refusal?.Kind);
            Assert.Equal("KMS not allowed: Aggregated MR not allowed", refusal?.Reason);
        }

        Assert.Equal(StatusCode.PermissionDenied, KmsGrpcMapping.ToStatusCode(appKey.Refusal!.Kind));
        Assert.Null(appKey.Value);
        Assert.True(meta.IsSuccess);
        Assert.True(tempCa.IsSuccess);
        Assert.True(envKey.IsSuccess);
        Assert.True(after.IsSuccess, after.Refusal?.Reason);
        Assert.Equal(before.Value!.DiskCryptKey, after.Value.DiskCryptKey);
        Assert.Equal(KmsTestBed.KmsAppId, self.State.BootInfo?.AppId);
        Assert.Equal(bed.KmsIdentity.MrAggregated, self.State.BootInfo?.MrAggregated);
    }

    [Fact]
    public async Task The_timer_rechecks_a_policy_that_announces_no_change()
    {
        using var bed = await KmsTestBed.CreateAsync();
        var time = new FakeTimeProvider();
        var policy = new SwitchablePolicy(bed.Policy);
        using var self = bed.CreateSelfAuthorization(policy);
        using var service = new SelfAuthorizationService(self, policy, Interval, time, NullLogger.Instance);
        await service.StartAsync(None);
        var atStart = self.State;

        policy.KmsDecision = PolicyDecision.Deny("revoked by the operator");
        await UntilAsync(self, s => s.Status == SelfAuthorizationStatus.Denied, () => time.Advance(Interval));
        var denied = self.State;
        policy.KmsDecision = null;
        await UntilAsync(self, s => s.Status == SelfAuthorizationStatus.Allowed, () => time.Advance(Interval));
        await service.StopAsync(None);

        Assert.Equal(SelfAuthorizationStatus.Allowed, atStart.Status);
        Assert.Equal("KMS not allowed: revoked by the operator", denied.Refusal?.Reason);
        Assert.Equal(3, policy.KmsQuestions);
        Assert.All(policy.Asked, b => Assert.Equal(bed.KmsIdentity.MrAggregated, b.MrAggregated));
    }

    [Fact]
    public async Task A_refused_key_release_asks_for_a_recheck_so_a_kms_allowed_again_serves_without_the_timer()
    {
        using var bed = await KmsTestBed.CreateAsync();
        var time = new FakeTimeProvider();
        var policy = new SwitchablePolicy(bed.Policy) { KmsDecision = PolicyDecision.Deny("not yet approved") };
        using var self = bed.CreateSelfAuthorization(policy);
        using var service = new SelfAuthorizationService(self, policy, Interval, time, NullLogger.Instance);
        var kms = bed.CreateService(bed.Holder, policy, self: self);
        await service.StartAsync(None);
        var refused = await GetAppKeyAsync(bed, kms);

        policy.KmsDecision = null;
        await UntilAsync(self, s => s.Status == SelfAuthorizationStatus.Allowed, () =>
        {
            // the refusal above asked for a re-check already (it may be the one that sees the change); the next refusal
            // may ask again a second later
            time.Advance(SelfAuthorizationService.MinimumRecheckSpacing);
            _ = GetAppKeyAsync(bed, kms).GetAwaiter().GetResult();
        });
        var served = await GetAppKeyAsync(bed, kms);
        await service.StopAsync(None);

        Assert.Equal("KMS not allowed: not yet approved", refused.Refusal?.Reason);
        Assert.True(served.IsSuccess, served.Refusal?.Reason);
    }

    [Fact]
    public async Task An_unreachable_backend_refuses_with_the_unavailable_reason()
    {
        using var bed = await KmsTestBed.CreateAsync();
        using var http = new HttpClient();
        var deadWebhook = new WebhookPolicy(http, new Uri($"http://127.0.0.1:{TcpPorts.GetFree()}/"), TimeSpan.FromSeconds(5), TimeProvider.System, NullLogger.Instance);
        using var self = bed.CreateSelfAuthorization(deadWebhook);
        var kms = bed.CreateService(bed.Holder, deadWebhook, self: self);

        var state = await self.CheckAsync(None);
        var result = await GetAppKeyAsync(bed, kms);

        Assert.Equal(SelfAuthorizationStatus.Unavailable, state.Status);
        Assert.Equal(KmsRefusalKind.BackendUnavailable, result.Refusal?.Kind);
        Assert.Equal("KMS not allowed: authorization backend unavailable", result.Refusal?.Reason);
        Assert.Equal(StatusCode.Unavailable, KmsGrpcMapping.ToStatusCode(result.Refusal!.Kind));
    }

    [Fact]
    public async Task Before_the_first_check_key_releases_are_refused()
    {
        using var bed = await KmsTestBed.CreateAsync();
        using var self = bed.CreateSelfAuthorization(bed.Policy);
        var kms = bed.CreateService(bed.Holder, bed.Policy, self: self);

        var result = await GetAppKeyAsync(bed, kms);

        Assert.Equal(SelfAuthorizationStatus.NotChecked, self.State.Status);
        Assert.Equal(KmsRefusalKind.NotReady, result.Refusal?.Kind);
        Assert.Equal("KMS not allowed: the self-authorization check has not completed yet", result.Refusal?.Reason);
    }

    [Fact]
    public async Task A_kms_whose_own_quote_does_not_verify_is_not_allowed()
    {
        using var bed = await KmsTestBed.CreateAsync();
        using var other = Attestation.Simulation.SimulatedTd.Open(Path.Combine(bed.Directory.Path, "other-platform"));
        using var otherAnchor = KmsTrustAnchor.Simulated(other.Pki, TimeProvider.System);
        using var self = new SelfAuthorization(
            new KmsIdentity(new Keys.TdxAttestationSource(bed.KmsTd.Device, bed.KmsTd.Events.LogPath), new CallerAuthenticator(otherAnchor, false, TimeProvider.System), KmsTestBed.VmConfig),
            KmsTestBed.Authorization(bed.Policy),
            true,
            NullLogger.Instance);

        var state = await self.CheckAsync(None);

        Assert.Equal(SelfAuthorizationStatus.Denied, state.Status);
        Assert.StartsWith("KMS not allowed: its own attestation does not verify: quote verification failed", state.Refusal?.Reason, StringComparison.Ordinal);
        Assert.Null(state.BootInfo);
    }

    [Fact]
    public async Task Switched_off_the_kms_serves_without_asking_about_itself()
    {
        using var bed = await KmsTestBed.CreateAsync();
        bed.WritePolicy(KmsTestBed.AllowingPolicy(), allowSelf: false);
        var policy = new SwitchablePolicy(bed.Policy);
        using var self = bed.CreateSelfAuthorization(policy, enforce: false);
        using var service = new SelfAuthorizationService(self, policy, Interval, new FakeTimeProvider(), NullLogger.Instance);
        var kms = bed.CreateService(bed.Holder, policy, self: self);

        await service.StartAsync(None);
        var result = await GetAppKeyAsync(bed, kms);
        await service.StopAsync(None);

        Assert.Equal(SelfAuthorizationStatus.Disabled, self.State.Status);
        Assert.True(result.IsSuccess, result.Refusal?.Reason);
        Assert.Equal(0, policy.KmsQuestions);
    }

    private static async Task<KmsResult<AppKeyResponse>> GetAppKeyAsync(KmsTestBed bed, KmsService kms)
    {
        using var cert = await KmsTestBed.CreateCallerCertificateAsync(bed.Caller, KmsTestBed.VmConfig);
        return await kms.GetAppKeyAsync(new AppKeyRequest(cert, 1, KmsTestBed.VmConfig), None);
    }

    /// <summary>Runs <paramref name="trigger"/> and waits for a completed check whose state satisfies <paramref name="condition"/>.</summary>
    private static async Task UntilAsync(SelfAuthorization self, Func<SelfAuthorizationState, bool> condition, Action trigger)
    {
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnChecked(object? sender, SelfAuthorizationState state)
        {
            if (condition(state))
            {
                reached.TrySetResult();
            }
        }

        self.Checked += OnChecked;
        try
        {
            trigger();
            // a check that completed before the subscription (or during the trigger) counts too
            if (condition(self.State))
            {
                reached.TrySetResult();
            }

            // a safety net against a hang, not a timing assertion
            await reached.Task.WaitAsync(TimeSpan.FromSeconds(60));
        }
        finally
        {
            self.Checked -= OnChecked;
        }
    }

    /// <summary>Delegates to a real policy; the KMS decision can be overridden, and announces no change.</summary>
    private sealed class SwitchablePolicy(IKmsPolicy inner) : IKmsPolicy
    {
        private int _kmsQuestions;

        public PolicyDecision? KmsDecision { get; set; }

        public int KmsQuestions => Volatile.Read(ref _kmsQuestions);

        public List<BootInfo> Asked { get; } = [];

        public Task<PolicyDecision> IsAppAllowedAsync(BootInfo bootInfo, CancellationToken cancellationToken) => inner.IsAppAllowedAsync(bootInfo, cancellationToken);

        public Task<PolicyDecision> IsKmsAllowedAsync(BootInfo bootInfo, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _kmsQuestions);
            lock (Asked)
            {
                Asked.Add(bootInfo);
            }

            return KmsDecision is { } decision ? Task.FromResult(decision) : inner.IsKmsAllowedAsync(bootInfo, cancellationToken);
        }

        public Task<KmsPolicyInfo> GetInfoAsync(CancellationToken cancellationToken) => inner.GetInfoAsync(cancellationToken);
    }
}
