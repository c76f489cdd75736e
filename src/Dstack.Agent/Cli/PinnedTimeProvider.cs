namespace Dstack.Agent.Cli;

/// <summary>A clock stopped at one instant: <c>verify-quote --at</c> verifies as of that time.</summary>
internal sealed class PinnedTimeProvider(DateTimeOffset now) : TimeProvider
{
    /// <inheritdoc />
    public override DateTimeOffset GetUtcNow() => now;
}
