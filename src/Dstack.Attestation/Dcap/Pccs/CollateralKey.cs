using Dstack.Attestation.Quotes;

namespace Dstack.Attestation.Dcap.Pccs;

/// <summary>
/// What a TDX quote's collateral is looked up by (spec dcap-collateral §3.2): the platform's FMSPC (12 uppercase hex
/// digits, from the PCK leaf's SGX extension) and the PCK CA type (<c>processor</c> or <c>platform</c>, from its issuer).
/// </summary>
/// <param name="Fmspc">12 uppercase hex digits.</param>
/// <param name="CaType"><c>processor</c> or <c>platform</c>.</param>
public readonly record struct CollateralKey(string Fmspc, string CaType)
{
    /// <summary>Reads the key from the PCK certificate chain embedded in <paramref name="quote"/>.</summary>
    /// <exception cref="FormatException">The quote carries no readable PCK leaf or SGX extension; the message says which.</exception>
    public static CollateralKey Of(TdxQuote quote)
    {
        ArgumentNullException.ThrowIfNull(quote);
        var chain = CertificateChain.ParsePem(quote.Signature.PckCertChainPem, "PCK chain");
        try
        {
            if (chain.Count == 0)
            {
                throw new FormatException("PCK chain: the quote carries no PCK certificate");
            }

            var leaf = chain[0];
            var extension = leaf.Extensions[PckExtension.Oid] ?? throw new FormatException("PCK certificate: Intel extension not found");
            var pck = PckExtension.Parse(extension.RawData);
            return new CollateralKey(Convert.ToHexString(pck.Fmspc.Span), CollateralEvaluator.CaType(leaf));
        }
        finally
        {
            chain.ForEach(c => c.Dispose());
        }
    }

    /// <summary>A file-name-safe form, <c>FMSPC-catype</c>.</summary>
    public override string ToString() => Fmspc + "-" + CaType;
}
