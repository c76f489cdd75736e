using System.Text;
using Dstack.Crypto.Ethereum;

namespace Dstack.Ethereum.Abi;

/// <summary>Canonical signatures and their Keccak-256 selectors and topics.</summary>
public static class AbiSignature
{
    /// <summary>Builds <c>name(type1,type2,…)</c> from parameters.</summary>
    /// <param name="name">The function, event or error name.</param>
    /// <param name="parameters">Its parameters.</param>
    /// <returns>The canonical signature.</returns>
    public static string Of(string name, IEnumerable<AbiParameter> parameters) =>
        name + "(" + string.Join(',', parameters.Select(p => p.Type.CanonicalName)) + ")";

    /// <summary>Keccak-256 of the signature text.</summary>
    /// <param name="signature">A canonical signature.</param>
    /// <returns>32 bytes (an event's topic 0).</returns>
    public static byte[] Hash(string signature) => Keccak256.Hash(Encoding.ASCII.GetBytes(signature));

    /// <summary>The first 4 bytes of Keccak-256 of the signature.</summary>
    /// <param name="signature">A canonical signature.</param>
    /// <returns>4 bytes.</returns>
    public static byte[] Selector(string signature) => Hash(signature)[..4];
}
