namespace Dstack.Agent.Configuration;

/// <summary>Request and connection limits that protect the agent from oversize, slow or half-closed clients.</summary>
internal sealed class LimitsOptions
{
    /// <summary>Largest accepted request body; larger bodies get <c>payload too large</c> (dstack: 10 MiB).</summary>
    public long MaxRequestBodyBytes { get; set; } = 10 * 1024 * 1024;

    /// <summary>Idle time after which a kept-alive connection is closed (dstack: 10 s).</summary>
    public int KeepAliveTimeoutSeconds { get; set; } = 10;

    /// <summary>Time allowed to receive the request line and headers.</summary>
    public int RequestHeadersTimeoutSeconds { get; set; } = 10;

    /// <summary>Minimum body upload rate once the grace period is over; slower clients are disconnected.</summary>
    public int MinRequestBodyBytesPerSecond { get; set; } = 240;

    /// <summary>Grace period before <see cref="MinRequestBodyBytesPerSecond"/> applies.</summary>
    public int MinRequestBodyGraceSeconds { get; set; } = 5;

    /// <summary>Maximum number of simultaneously open connections per socket (0 = unlimited).</summary>
    public int MaxConnections { get; set; } = 1024;
}
