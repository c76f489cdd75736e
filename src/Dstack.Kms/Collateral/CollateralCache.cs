using System.Collections.Concurrent;
using Dstack.Attestation.Dcap;
using Dstack.Attestation.Dcap.Pccs;
using Dstack.Attestation.Storage;
using Microsoft.Extensions.Logging;

namespace Dstack.Kms.Collateral;

/// <summary>
/// Collateral by FMSPC and PCK CA type, fetched from a PCCS and kept in memory and, when a directory is given, on disk
/// (spec dcap-collateral §7): an entry is used while every item is within its window, never beyond; it is refreshed in the
/// background from half-way through its window (<see cref="RefreshDueAsync"/>), and a refresh with an older TCB evaluation
/// data number is not taken. A PCCS outage is survived for as long as the cached copy is valid. Files are written
/// atomically; one that cannot be read back is deleted and fetched again, never trusted.
/// </summary>
internal sealed class CollateralCache
{
    private readonly Lazy<PccsClient> _client;
    private readonly string? _directory;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<CollateralKey, Entry> _entries = new();
    private readonly ConcurrentDictionary<CollateralKey, Lazy<Task<Entry>>> _fetches = new();

    /// <summary>Creates a cache over the PCCS client <paramref name="client"/> (created at first use).</summary>
    public CollateralCache(Func<PccsClient> client, string? directory, TimeProvider timeProvider, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(client);
        _client = new Lazy<PccsClient>(client);
        _directory = string.IsNullOrWhiteSpace(directory) ? null : Path.GetFullPath(directory);
        _timeProvider = timeProvider;
        _logger = logger;
    }

    /// <summary>Number of PCCS fetches made so far (each fetch is four requests).</summary>
    public int FetchCount => Volatile.Read(ref _fetchCount);

    private int _fetchCount;

    /// <summary>
    /// Valid collateral for <paramref name="key"/>: a cached copy valid now, else a fresh fetch. Fetched collateral that is
    /// not valid now is returned (the verifier refuses it with its reason) but not cached.
    /// </summary>
    public async Task<CollateralLookup> GetAsync(CollateralKey key, CancellationToken cancellationToken)
    {
        var now = _timeProvider.GetUtcNow();
        if (_entries.TryGetValue(key, out var cached) && cached.Validity.IsValidAt(now))
        {
            return CollateralLookup.Found(cached.Collateral);
        }

        if (LoadFromDisk(key, now) is { } loaded)
        {
            _entries[key] = loaded;
            return CollateralLookup.Found(loaded.Collateral);
        }

        Entry fetched;
        try
        {
            fetched = await FetchOnceAsync(key).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (PccsException e)
        {
            CollateralLog.FetchFailed(_logger, key, e.Message, false);
            return CollateralLookup.Unavailable($"no valid cached collateral for FMSPC {key.Fmspc} ({key.CaType} CA) and the PCCS fetch failed: {e.Message}");
        }
        catch (FormatException e)
        {
            CollateralLog.FetchFailed(_logger, key, e.Message, false);
            return CollateralLookup.Unavailable($"the PCCS served undecodable collateral for FMSPC {key.Fmspc} ({key.CaType} CA): {e.Message}");
        }

        if (fetched.Validity.IsValidAt(_timeProvider.GetUtcNow()))
        {
            Store(key, fetched);
        }
        else
        {
            CollateralLog.NotValidNow(_logger, key, fetched.Validity.From, fetched.Validity.Until);
        }

        return CollateralLookup.Found(fetched.Collateral);
    }

    /// <summary>Fetches a fresher copy of every entry past half of its window; failures keep the cached copy (and are logged).</summary>
    public async Task RefreshDueAsync(CancellationToken cancellationToken)
    {
        foreach (var (key, entry) in _entries.ToArray())
        {
            var now = _timeProvider.GetUtcNow();
            if (now < entry.Validity.RefreshAt)
            {
                continue;
            }

            try
            {
                var fresh = await FetchOnceAsync(key).WaitAsync(cancellationToken).ConfigureAwait(false);
                if (fresh.Validity.TcbEvaluationDataNumber < entry.Validity.TcbEvaluationDataNumber
                    || fresh.Validity.QeEvaluationDataNumber < entry.Validity.QeEvaluationDataNumber)
                {
                    CollateralLog.RollbackRefused(_logger, key, entry.Validity.TcbEvaluationDataNumber, fresh.Validity.TcbEvaluationDataNumber);
                }
                else if (fresh.Validity.IsValidAt(_timeProvider.GetUtcNow()))
                {
                    Store(key, fresh);
                }
                else
                {
                    CollateralLog.NotValidNow(_logger, key, fresh.Validity.From, fresh.Validity.Until);
                }
            }
            catch (Exception e) when (e is PccsException or FormatException)
            {
                CollateralLog.FetchFailed(_logger, key, e.Message, entry.Validity.IsValidAt(now));
            }
        }
    }

    private Task<Entry> FetchOnceAsync(CollateralKey key)
    {
        var fetch = _fetches.GetOrAdd(key, k => new Lazy<Task<Entry>>(() => FetchAsync(k)));
        return fetch.Value;
    }

    private async Task<Entry> FetchAsync(CollateralKey key)
    {
        try
        {
            Interlocked.Increment(ref _fetchCount);
            var collateral = await _client.Value.FetchAsync(key, CancellationToken.None).ConfigureAwait(false);
            var entry = new Entry(collateral, CollateralValidity.Of(collateral));
            CollateralLog.Fetched(_logger, key, _client.Value.BaseUrl, entry.Validity.From, entry.Validity.Until, entry.Validity.TcbEvaluationDataNumber);
            return entry;
        }
        finally
        {
            _fetches.TryRemove(key, out _);
        }
    }

    private void Store(CollateralKey key, Entry entry)
    {
        _entries[key] = entry;
        if (_directory is null)
        {
            return;
        }

        var path = PathOf(key);
        try
        {
            SecureFile.Write(path, System.Text.Encoding.UTF8.GetBytes(entry.Collateral.ToJson()));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            CollateralLog.CacheWriteFailed(_logger, path, e.Message);
        }
    }

    private Entry? LoadFromDisk(CollateralKey key, DateTimeOffset now)
    {
        if (_directory is null)
        {
            return null;
        }

        var path = PathOf(key);
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            var collateral = DcapCollateral.FromJson(File.ReadAllText(path));
            var entry = new Entry(collateral, CollateralValidity.Of(collateral));
            if (entry.Validity.IsValidAt(now))
            {
                return entry;
            }

            CollateralLog.CachedExpired(_logger, path, entry.Validity.Until);
        }
        catch (Exception e) when (e is FormatException or IOException or UnauthorizedAccessException)
        {
            CollateralLog.CacheCorrupt(_logger, path, e.Message);
        }

        TryDelete(path);
        return null;
    }

    private string PathOf(CollateralKey key) => Path.Combine(_directory!, key + ".json");

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // a stale file is re-checked (and never trusted) on the next read
        }
    }

    private sealed record Entry(DcapCollateral Collateral, CollateralValidity Validity);
}
