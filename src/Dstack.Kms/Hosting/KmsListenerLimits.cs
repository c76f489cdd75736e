using Dstack.Rpc.Server;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Dstack.Kms.Hosting;

/// <summary>
/// The limits of the KMS's Kestrel listener, in one place: how many connections it holds, how long a silent peer may
/// keep one, and how large a request may be. A caller is unauthenticated until its attestation is verified, so every
/// resource a connection can take is bounded before that.
/// </summary>
internal static class KmsListenerLimits
{
    /// <summary>Most open connections (TLS included); more are refused until one closes.</summary>
    public const long MaxConcurrentConnections = 1024;

    /// <summary>Most upgraded (HTTP/1.1 <c>Upgrade</c>) connections; the KMS serves none, so a few at most.</summary>
    public const long MaxConcurrentUpgradedConnections = 16;

    /// <summary>Largest request body: one gRPC frame of the largest message the service accepts, plus slack.</summary>
    public const long MaxRequestBodySize = GrpcServerOptions.DefaultMaxReceiveMessageSize + (64 * 1024);

    /// <summary>Largest total size of the request headers.</summary>
    public const int MaxRequestHeadersTotalSize = 32 * 1024;

    /// <summary>Most request headers.</summary>
    public const int MaxRequestHeaderCount = 64;

    /// <summary>Slowest accepted request body upload, in bytes per second (after <see cref="MinDataRateGracePeriod"/>).</summary>
    public const double MinRequestBodyBytesPerSecond = 240;

    /// <summary>Slowest accepted response download, in bytes per second (after <see cref="MinDataRateGracePeriod"/>).</summary>
    public const double MinResponseBytesPerSecond = 240;

    /// <summary>HTTP/2: most concurrent streams (calls) on one connection.</summary>
    public const int Http2MaxStreamsPerConnection = 100;

    /// <summary>HTTP/2: HPACK dynamic header table size.</summary>
    public const int Http2HeaderTableSize = 4096;

    /// <summary>HTTP/2: largest frame payload accepted (the protocol's minimum, 16 KiB).</summary>
    public const int Http2MaxFrameSize = 16 * 1024;

    /// <summary>HTTP/2: largest single decoded header field.</summary>
    public const int Http2MaxRequestHeaderFieldSize = 16 * 1024;

    /// <summary>HTTP/2: the flow-control window of a connection (bounds what a peer may send unread).</summary>
    public const int Http2InitialConnectionWindowSize = 1024 * 1024;

    /// <summary>HTTP/2: the flow-control window of one stream.</summary>
    public const int Http2InitialStreamWindowSize = 768 * 1024;

    /// <summary>Time allowed for the request headers once their first byte arrived (a stalled request is answered 408 and closed).</summary>
    public static TimeSpan RequestHeadersTimeout { get; } = TimeSpan.FromSeconds(10);

    /// <summary>Time an idle connection stays open: between requests, and before the first one (a silent connection is closed after it).</summary>
    public static TimeSpan KeepAliveTimeout { get; } = TimeSpan.FromSeconds(30);

    /// <summary>Time allowed for the TLS handshake.</summary>
    public static TimeSpan TlsHandshakeTimeout { get; } = TimeSpan.FromSeconds(10);

    /// <summary>Grace period before the minimum data rates apply.</summary>
    public static TimeSpan MinDataRateGracePeriod { get; } = TimeSpan.FromSeconds(5);

    /// <summary>Applies the limits to <paramref name="limits"/>.</summary>
    public static void Apply(KestrelServerLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        limits.MaxConcurrentConnections = MaxConcurrentConnections;
        limits.MaxConcurrentUpgradedConnections = MaxConcurrentUpgradedConnections;
        limits.MaxRequestBodySize = MaxRequestBodySize;
        limits.MaxRequestHeadersTotalSize = MaxRequestHeadersTotalSize;
        limits.MaxRequestHeaderCount = MaxRequestHeaderCount;
        limits.RequestHeadersTimeout = RequestHeadersTimeout;
        limits.KeepAliveTimeout = KeepAliveTimeout;
        limits.MinRequestBodyDataRate = new MinDataRate(MinRequestBodyBytesPerSecond, MinDataRateGracePeriod);
        limits.MinResponseDataRate = new MinDataRate(MinResponseBytesPerSecond, MinDataRateGracePeriod);
        limits.Http2.MaxStreamsPerConnection = Http2MaxStreamsPerConnection;
        limits.Http2.HeaderTableSize = Http2HeaderTableSize;
        limits.Http2.MaxFrameSize = Http2MaxFrameSize;
        limits.Http2.MaxRequestHeaderFieldSize = Http2MaxRequestHeaderFieldSize;
        limits.Http2.InitialConnectionWindowSize = Http2InitialConnectionWindowSize;
        limits.Http2.InitialStreamWindowSize = Http2InitialStreamWindowSize;
    }
}
