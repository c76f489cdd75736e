using Dstack.Kms.Keys;

namespace Dstack.Kms.Service;

/// <summary>Holds the root keys once start-up has loaded or generated them.</summary>
internal sealed class KmsKeyHolder : IDisposable
{
    private KmsRootKeys? _keys;

    /// <summary>The keys, or null before start-up finished.</summary>
    public KmsRootKeys? Keys => Volatile.Read(ref _keys);

    /// <summary>Installs the keys (once).</summary>
    public void Set(KmsRootKeys keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        if (Interlocked.CompareExchange(ref _keys, keys, null) is not null)
        {
            throw new InvalidOperationException("the root keys are already loaded");
        }
    }

    /// <inheritdoc />
    public void Dispose() => _keys?.Dispose();
}
