using System.Collections.Concurrent;

namespace Dstack.Crypto.Keys;

/// <summary>
/// A bounded, in-memory cache of derived keys for recently asked paths (approximately least-recently-used): entries go
/// into the current generation; when it holds <see cref="GenerationSize"/> entries it becomes the previous one and the
/// older generation is dropped. A hit in the previous generation moves the entry forward. Thread-safe; at most twice
/// <see cref="GenerationSize"/> entries are held. Nothing is ever written anywhere.
/// </summary>
internal sealed class RecentKeys<TKey, TValue>
    where TKey : notnull
    where TValue : class
{
    private readonly Lock _turnover = new();
    private ConcurrentDictionary<TKey, TValue> _current = new();
    private ConcurrentDictionary<TKey, TValue> _previous = new();

    public RecentKeys(int generationSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(generationSize, 1);
        GenerationSize = generationSize;
    }

    /// <summary>Entries per generation.</summary>
    public int GenerationSize { get; }

    /// <summary>The cached value for <paramref name="key"/>, or the one <paramref name="create"/> makes (then cached).</summary>
    public TValue GetOrAdd(TKey key, Func<TKey, TValue> create)
    {
        ArgumentNullException.ThrowIfNull(create);
        var current = _current;
        if (current.TryGetValue(key, out var value))
        {
            return value;
        }

        if (!_previous.TryGetValue(key, out value))
        {
            value = create(key);
        }

        if (current.Count >= GenerationSize)
        {
            lock (_turnover)
            {
                if (ReferenceEquals(current, _current))
                {
                    _previous = current;
                    _current = new ConcurrentDictionary<TKey, TValue>();
                }

                current = _current;
            }
        }

        return current.GetOrAdd(key, value);
    }
}
