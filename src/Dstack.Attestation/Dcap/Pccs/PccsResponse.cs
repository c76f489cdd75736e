using System.Text;

namespace Dstack.Attestation.Dcap.Pccs;

/// <summary>
/// One answer of a PCCS serving a collateral set over the TDX v4 paths (spec dcap-collateral §3.1): what the simulated
/// stack's PCCS and test servers send, and exactly what <see cref="PccsClient"/> reads.
/// </summary>
/// <param name="StatusCode">HTTP status.</param>
/// <param name="ContentType">Content type of <paramref name="Body"/>.</param>
/// <param name="Body">The body.</param>
/// <param name="IssuerChainHeader">Name of the issuer-chain header, or null.</param>
/// <param name="IssuerChain">Its value, percent-encoded PEM, or null.</param>
public sealed record PccsResponse(int StatusCode, string ContentType, byte[] Body, string? IssuerChainHeader, string? IssuerChain)
{
    /// <summary>
    /// The answer to <paramref name="path"/> (path under the base URL, without the query) from <paramref name="collateral"/>;
    /// 404 for a path that is not a collateral endpoint or when there is no collateral.
    /// </summary>
    public static PccsResponse For(string path, DcapCollateral? collateral)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (collateral is null)
        {
            return NotFound;
        }

        return path.TrimEnd('/') switch
        {
            "/sgx/certification/v4/pckcrl" => new(200, "application/pkix-crl", collateral.PckCrl.ToArray(), PccsProtocol.PckCrlIssuerChainHeader, Encode(collateral.PckCrlIssuerChain)),
            "/tdx/certification/v4/tcb" => Signed("tcbInfo", collateral.TcbInfo, collateral.TcbInfoSignature, PccsProtocol.TcbInfoIssuerChainHeader, collateral.TcbInfoIssuerChain),
            "/tdx/certification/v4/qe/identity" => Signed("enclaveIdentity", collateral.QeIdentity, collateral.QeIdentitySignature, PccsProtocol.QeIdentityIssuerChainHeader, collateral.QeIdentityIssuerChain),
            "/sgx/certification/v4/rootcacrl" => new(200, "text/plain", Encoding.ASCII.GetBytes(Convert.ToHexStringLower(collateral.RootCaCrl.Span)), null, null),
            _ => NotFound,
        };
    }

    private static PccsResponse NotFound { get; } = new(404, "text/plain", "no such collateral\n"u8.ToArray(), null, null);

    private static PccsResponse Signed(string member, string text, ReadOnlyMemory<byte> signature, string header, string chain) =>
        new(200, "application/json", Encoding.UTF8.GetBytes($"{{\"{member}\":{text},\"signature\":\"{Convert.ToHexStringLower(signature.Span)}\"}}"), header, Encode(chain));

    private static string Encode(string pem) => Uri.EscapeDataString(pem);
}
