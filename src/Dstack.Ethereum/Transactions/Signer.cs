using System.Security.Cryptography;
using Dstack.Crypto.Ethereum;
using Dstack.Crypto.Secp256k1;

namespace Dstack.Ethereum.Transactions;

/// <summary>
/// An Ethereum account key. Holds the 32-byte secp256k1 private key in memory (zeroed on dispose); the key is
/// never formatted, logged or exposed by this type.
/// </summary>
public sealed class Signer : IDisposable
{
    private readonly byte[] _privateKey;
    private readonly ISecp256k1 _secp256k1;
    private bool _disposed;

    /// <summary>Creates a signer from a raw private key.</summary>
    /// <param name="privateKey">32 bytes, big-endian, in [1, n-1]; copied.</param>
    /// <param name="secp256k1">The curve backend; libsecp256k1 by default.</param>
    public Signer(ReadOnlySpan<byte> privateKey, ISecp256k1? secp256k1 = null)
    {
        _secp256k1 = secp256k1 ?? LibSecp256k1.Instance;
        if (!_secp256k1.IsValidPrivateKey(privateKey))
        {
            throw new ArgumentException("Not a valid secp256k1 private key", nameof(privateKey));
        }

        _privateKey = privateKey.ToArray();
        Span<byte> publicKey = stackalloc byte[Secp256k1Lengths.UncompressedPublicKey];
        _secp256k1.GetPublicKey(_privateKey, publicKey);
        Address = new EvmAddress(EthereumAddress.FromUncompressedPublicKey(publicKey));
    }

    /// <summary>The account address.</summary>
    public EvmAddress Address { get; }

    /// <summary>Parses a private key written as hex (with or without <c>0x</c>, surrounding whitespace ignored).</summary>
    /// <param name="hex">The key text, e.g. read from a key file or an environment variable.</param>
    /// <returns>The signer.</returns>
    public static Signer FromHex(string hex)
    {
        ArgumentNullException.ThrowIfNull(hex);
        byte[] key;
        try
        {
            key = Hex.Parse(hex.Trim());
        }
        catch (FormatException)
        {
            throw new ArgumentException("The private key is not hex", nameof(hex));
        }

        try
        {
            return new Signer(key);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    /// <summary>Signs a 32-byte digest.</summary>
    /// <param name="hash">The digest.</param>
    /// <returns><c>r(32) ‖ s(32) ‖ yParity(1)</c>, low-S.</returns>
    public byte[] SignHash(ReadOnlySpan<byte> hash)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (hash.Length != 32)
        {
            throw new ArgumentException("A digest is 32 bytes", nameof(hash));
        }

        var signature = new byte[65];
        _secp256k1.Sign(hash, _privateKey, signature);
        return signature;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        CryptographicOperations.ZeroMemory(_privateKey);
        _disposed = true;
    }

    /// <summary>Shows the address only.</summary>
    /// <returns>A description without key material.</returns>
    public override string ToString() => "Signer(" + Address + ")";
}
