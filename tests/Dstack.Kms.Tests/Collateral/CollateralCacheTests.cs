using Dstack.Attestation.Dcap;
using Dstack.Attestation.Dcap.Pccs;
using Dstack.Attestation.Simulation;
using Dstack.Kms.Collateral;
using Dstack.Tests;
using Dstack.Tests.Pccs;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Dstack.Kms.Tests.Collateral;

/// <summary>
/// <see cref="CollateralCache"/> over a local PCCS (real HTTP) serving simulated collateral, on a virtual clock: hits,
/// disk persistence, outages, expiry, background refresh and rollback (spec dcap-collateral §7).
/// </summary>
public sealed class CollateralCacheTests : IAsyncLifetime, IDisposable
{
    private static readonly CollateralKey Key = new("000000000000", "processor");
    private static readonly DateTimeOffset Start = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly FakeTimeProvider _time = new(Start);
    private readonly MockDcapPki _pki = new(Enumerable.Repeat((byte)0x42, MockDcapPki.SeedSize).ToArray());
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private readonly TempDirectory _dir = new();
    private PccsServer _server = null!;
    private DcapCollateral _served = null!;
    private string _url = "";

    public async Task InitializeAsync()
    {
        _server = await PccsServer.StartAsync();
        _served = Issued(Start, evaluationNumber: 5);
        _url = _server.Serve("pccs", () => _served);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public void Dispose()
    {
        _http.Dispose();
        _pki.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public async Task A_second_lookup_is_served_from_the_cache_without_asking_the_pccs()
    {
        var cache = Cache();

        var first = await cache.GetAsync(Key, CancellationToken.None);
        var second = await cache.GetAsync(Key, CancellationToken.None);

        Assert.NotNull(first.Collateral);
        Assert.Same(first.Collateral, second.Collateral);
        Assert.Equal(4, _server.Requests("pccs"));
        Assert.Equal(1, cache.FetchCount);
    }

    [Fact]
    public async Task A_pccs_outage_with_a_valid_cache_keeps_working_until_the_collateral_expires()
    {
        var cache = Cache();
        await cache.GetAsync(Key, CancellationToken.None);
        _server.SetDown("pccs", true);

        _time.Advance(TimeSpan.FromDays(20));
        var duringOutage = await cache.GetAsync(Key, CancellationToken.None);
        _time.Advance(TimeSpan.FromDays(11)); // past nextUpdate (issued + 30 days)
        var expired = await cache.GetAsync(Key, CancellationToken.None);

        Assert.NotNull(duringOutage.Collateral);
        Assert.Null(expired.Collateral);
        Assert.Equal($"no valid cached collateral for FMSPC 000000000000 (processor CA) and the PCCS fetch failed: Failed to fetch {_url}/sgx/certification/v4/pckcrl?ca=processor&encoding=der: HTTP 503", expired.Problem);
    }

    [Fact]
    public async Task With_an_empty_cache_an_outage_is_a_refusal_and_the_cache_recovers_once_the_pccs_is_back()
    {
        var cache = Cache();
        _server.SetDown("pccs", true);

        var down = await cache.GetAsync(Key, CancellationToken.None);
        _server.SetDown("pccs", false);
        var back = await cache.GetAsync(Key, CancellationToken.None);

        Assert.Null(down.Collateral);
        Assert.EndsWith("HTTP 503", down.Problem, StringComparison.Ordinal);
        Assert.Equal(_served.ToJson(), back.Collateral!.ToJson());
    }

    [Fact]
    public async Task A_restarted_kms_uses_its_disk_cache_while_the_pccs_is_down()
    {
        await Cache(_dir.Path).GetAsync(Key, CancellationToken.None);
        _server.SetDown("pccs", true);

        var restarted = await Cache(_dir.Path).GetAsync(Key, CancellationToken.None);

        Assert.Equal(_served.ToJson(), restarted.Collateral!.ToJson());
        Assert.Equal(["000000000000-processor.json"], Directory.GetFiles(_dir.Path).Select(Path.GetFileName));
    }

    [Fact]
    public async Task A_corrupt_cache_file_is_deleted_and_fetched_again_never_trusted()
    {
        var path = Path.Combine(_dir.Path, "000000000000-processor.json");
        await File.WriteAllTextAsync(path, "{\"tcb_info\": 1");
        _server.SetDown("pccs", true);

        var whileDown = await Cache(_dir.Path).GetAsync(Key, CancellationToken.None);
        Assert.False(File.Exists(path));
        _server.SetDown("pccs", false);
        var fetched = await Cache(_dir.Path).GetAsync(Key, CancellationToken.None);

        Assert.Null(whileDown.Collateral);
        Assert.NotNull(fetched.Collateral);
        Assert.Equal(_served.ToJson(), await File.ReadAllTextAsync(path));
    }

    [Fact]
    public async Task Collateral_the_pccs_serves_past_its_validity_is_returned_for_the_verifier_to_refuse_but_not_cached()
    {
        _served = Issued(Start.AddDays(-40), evaluationNumber: 5); // expired ten days ago
        var cache = Cache(_dir.Path);

        var first = await cache.GetAsync(Key, CancellationToken.None);
        await cache.GetAsync(Key, CancellationToken.None);
        var verdict = new QuoteVerifier(_pki.TrustRoot, _time).Verify(SimulatedQuote(), first.Collateral);

        Assert.NotNull(first.Collateral);
        Assert.Equal(2, cache.FetchCount);
        Assert.Empty(Directory.GetFiles(_dir.Path));
        Assert.False(verdict.IsValid);
        Assert.Contains("expired", string.Join("; ", verdict.Failures), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Past_half_of_its_window_an_entry_is_refreshed_in_the_background_and_an_older_evaluation_number_is_not_taken()
    {
        var cache = Cache();
        var original = (await cache.GetAsync(Key, CancellationToken.None)).Collateral!;

        _time.Advance(TimeSpan.FromDays(10)); // before half-life (window now-1d .. now+30d)
        await cache.RefreshDueAsync(CancellationToken.None);
        var beforeHalf = cache.FetchCount;
        _time.Advance(TimeSpan.FromDays(6));
        _served = Issued(_time.GetUtcNow(), evaluationNumber: 4); // a rollback to older collateral
        await cache.RefreshDueAsync(CancellationToken.None);
        var afterRollback = (await cache.GetAsync(Key, CancellationToken.None)).Collateral!;
        _served = Issued(_time.GetUtcNow(), evaluationNumber: 6);
        await cache.RefreshDueAsync(CancellationToken.None);
        var refreshed = (await cache.GetAsync(Key, CancellationToken.None)).Collateral!;

        Assert.Equal(1, beforeHalf);
        Assert.Same(original, afterRollback);
        Assert.Equal(3, cache.FetchCount);
        Assert.Equal(6, CollateralValidity.Of(refreshed).TcbEvaluationDataNumber);
        Assert.Equal(_time.GetUtcNow().AddDays(30).AddSeconds(-1), CollateralValidity.Of(refreshed).Until); // CRLs: strictly before nextUpdate
    }

    [Fact]
    public async Task The_refresh_service_refreshes_on_its_interval()
    {
        var cache = Cache();
        await cache.GetAsync(Key, CancellationToken.None);
        using var service = new CollateralRefreshService(cache, TimeSpan.FromHours(1), _time, NullLogger.Instance);
        await service.StartAsync(CancellationToken.None);

        // the service starts its loop on the thread pool: step the virtual clock an interval at a time until it has ticked
        var ticksBeforeHalfLife = 0;
        for (var hour = 0; hour < 24 * 20 && cache.FetchCount < 2; hour++)
        {
            _time.Advance(TimeSpan.FromHours(1));
            await Task.Delay(hour < 24 * 14 ? 0 : 20);
            ticksBeforeHalfLife += _time.GetUtcNow() < Start.AddDays(14.5) && cache.FetchCount > 1 ? 1 : 0;
        }

        await service.StopAsync(CancellationToken.None);
        Assert.Equal(2, cache.FetchCount);
        Assert.Equal(0, ticksBeforeHalfLife);
    }

    private CollateralCache Cache(string? directory = null) => new(() => new PccsClient(_http, _url), directory, _time, NullLogger.Instance);

    private DcapCollateral Issued(DateTimeOffset now, int evaluationNumber) => _pki.CreateCollateral(new MockCollateralOptions
    {
        IssueDate = now.AddDays(-1),
        NextUpdate = now.AddDays(30),
        TcbEvaluationDataNumber = evaluationNumber,
    });

    private byte[] SimulatedQuote() => new MockQuotingEnclave(_pki).CreateQuote(new byte[MockQuotingEnclave.TdReportSize]);
}
