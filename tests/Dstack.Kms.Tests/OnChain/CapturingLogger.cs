using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Dstack.Kms.Tests.OnChain;

/// <summary>Keeps every formatted log line with its event id, for asserting what the policy logs.</summary>
internal sealed class CapturingLogger : ILogger
{
    private readonly ConcurrentQueue<(int EventId, LogLevel Level, string Message)> _entries = new();

    public IReadOnlyList<(int EventId, LogLevel Level, string Message)> Entries => [.. _entries];

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        _entries.Enqueue((eventId.Id, logLevel, formatter(state, exception)));
    }

    public string Last(int eventId) => Entries.Last(e => e.EventId == eventId).Message;
}
