using Microsoft.Extensions.Logging;

namespace Dstack.Agent.Tests.Support;

/// <summary>One captured log entry.</summary>
public sealed record CapturedLog(string Category, LogLevel Level, EventId EventId, string Message);
