namespace Dstack.Attestation.Tests.Quotes;

/// <summary>A clock frozen at a given instant.</summary>
internal sealed class FixedTimeProvider(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
