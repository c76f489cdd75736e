namespace Dstack.Rpc.Tests.Interop;

/// <summary>How the two ends talk in an interop test.</summary>
public enum Transport
{
    /// <summary>Plain-text HTTP/2 with prior knowledge.</summary>
    H2c,

    /// <summary>TLS with ALPN h2, server certificate only.</summary>
    Tls,

    /// <summary>TLS with ALPN h2 and a client certificate.</summary>
    MutualTls,
}
