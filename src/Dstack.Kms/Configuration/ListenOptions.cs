namespace Dstack.Kms.Configuration;

/// <summary>The RPC listener (gRPC over TLS with optional RA-TLS client certificates).</summary>
internal sealed class ListenOptions
{
    /// <summary>IP address to bind; default all interfaces.</summary>
    public string Address { get; set; } = "0.0.0.0";

    /// <summary>TCP port; default 8000, as the reference KMS.</summary>
    public int Port { get; set; } = 8000;

    /// <summary>DNS name of the RPC certificate (<c>rpc-domain</c>), used at bootstrap.</summary>
    public string Domain { get; set; } = "localhost";
}
