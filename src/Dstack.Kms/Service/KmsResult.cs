using System.Diagnostics.CodeAnalysis;

namespace Dstack.Kms.Service;

/// <summary>Either a value or a <see cref="KmsRefusal"/>.</summary>
/// <typeparam name="T">The value type.</typeparam>
internal readonly struct KmsResult<T>
    where T : class
{
    private KmsResult(T? value, KmsRefusal? refusal)
    {
        Value = value;
        Refusal = refusal;
    }

    /// <summary>The value on success.</summary>
    public T? Value { get; }

    /// <summary>The refusal on failure.</summary>
    public KmsRefusal? Refusal { get; }

    /// <summary>True when <see cref="Value"/> is set.</summary>
    [MemberNotNullWhen(true, nameof(Value))]
    [MemberNotNullWhen(false, nameof(Refusal))]
    public bool IsSuccess => Refusal is null;

    /// <summary>A successful result.</summary>
    public static KmsResult<T> Success(T value) => new(value ?? throw new ArgumentNullException(nameof(value)), null);

    /// <summary>A refused result.</summary>
    public static KmsResult<T> Refused(KmsRefusal refusal) => new(null, refusal ?? throw new ArgumentNullException(nameof(refusal)));

    /// <summary>A refused result.</summary>
    public static KmsResult<T> Refused(KmsRefusalKind kind, string reason) => new(null, new KmsRefusal(kind, reason));

    /// <summary>Wraps a value.</summary>
    public static implicit operator KmsResult<T>(T value) => Success(value);

    /// <summary>Wraps a refusal.</summary>
    public static implicit operator KmsResult<T>(KmsRefusal refusal) => Refused(refusal);
}
