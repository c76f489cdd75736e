using Org.BouncyCastle.Asn1.X9;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.EC;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Math.EC;
using Org.BouncyCastle.Math.EC.Multiplier;

namespace Dstack.Crypto.Secp256k1;

/// <summary>
/// Managed secp256k1 on Portable.BouncyCastle. Correct but slow (~1 ms per signature); the interface allows a
/// native backend to replace it.
/// </summary>
public sealed class BouncyCastleSecp256k1 : ISecp256k1
{
    private static readonly X9ECParameters Parameters = CustomNamedCurves.GetByName("secp256k1");
    private static readonly BigInteger N = Parameters.N;
    private static readonly BigInteger HalfN = Parameters.N.ShiftRight(1);
    private static readonly BigInteger P = Parameters.Curve.Field.Characteristic;
    private static readonly FixedPointCombMultiplier Multiplier = new();

    /// <summary>A shared instance; the type is stateless and thread-safe.</summary>
    public static BouncyCastleSecp256k1 Instance { get; } = new();

    /// <inheritdoc />
    public bool IsValidPrivateKey(ReadOnlySpan<byte> privateKey)
    {
        if (privateKey.Length != Secp256k1Lengths.PrivateKey)
        {
            return false;
        }

        var d = ToInteger(privateKey);
        return d.SignValue > 0 && d.CompareTo(N) < 0;
    }

    /// <inheritdoc />
    public void GetPublicKey(ReadOnlySpan<byte> privateKey, Span<byte> publicKey)
    {
        var d = ReadPrivateKey(privateKey);
        WritePoint(Multiplier.Multiply(Parameters.G, d), publicKey);
    }

    /// <inheritdoc />
    public bool TryConvertPublicKey(ReadOnlySpan<byte> publicKey, Span<byte> destination)
    {
        var point = TryDecodePoint(publicKey);
        if (point is null)
        {
            return false;
        }

        WritePoint(point, destination);
        return true;
    }

    /// <inheritdoc />
    public void Sign(ReadOnlySpan<byte> hash, ReadOnlySpan<byte> privateKey, Span<byte> signature)
    {
        if (hash.Length != Secp256k1Lengths.Hash)
        {
            throw new ArgumentException("The digest must be 32 bytes.", nameof(hash));
        }

        if (signature.Length is not (Secp256k1Lengths.CompactSignature or Secp256k1Lengths.RecoverableSignature))
        {
            throw new ArgumentException("The signature destination must be 64 or 65 bytes.", nameof(signature));
        }

        var d = ReadPrivateKey(privateKey);
        var hashBytes = hash.ToArray();
        var e = new BigInteger(1, hashBytes);
        var nonces = new HMacDsaKCalculator(new Sha256Digest());
        nonces.Init(N, d, hashBytes);
        while (true)
        {
            var k = nonces.NextK();
            var point = Multiplier.Multiply(Parameters.G, k).Normalize();
            var x = point.AffineXCoord.ToBigInteger();
            var r = x.Mod(N);
            if (r.SignValue == 0)
            {
                continue;
            }

            var s = k.ModInverse(N).Multiply(e.Add(d.Multiply(r))).Mod(N);
            if (s.SignValue == 0)
            {
                continue;
            }

            var recoveryId = (point.AffineYCoord.TestBitZero() ? 1 : 0) | (x.CompareTo(N) >= 0 ? 2 : 0);
            if (s.CompareTo(HalfN) > 0)
            {
                s = N.Subtract(s);
                recoveryId ^= 1;
            }

            WriteInteger(r, signature[..32]);
            WriteInteger(s, signature.Slice(32, 32));
            if (signature.Length == Secp256k1Lengths.RecoverableSignature)
            {
                signature[64] = (byte)recoveryId;
            }

            return;
        }
    }

    /// <inheritdoc />
    public bool TryRecover(ReadOnlySpan<byte> hash, ReadOnlySpan<byte> signature, Span<byte> publicKey)
    {
        if (hash.Length != Secp256k1Lengths.Hash || signature.Length != Secp256k1Lengths.RecoverableSignature
            || signature[64] > 3)
        {
            return false;
        }

        var r = ToInteger(signature[..32]);
        var s = ToInteger(signature.Slice(32, 32));
        if (!InScalarRange(r) || !InScalarRange(s))
        {
            return false;
        }

        var recoveryId = signature[64];
        var x = (recoveryId & 2) != 0 ? r.Add(N) : r;
        if (x.CompareTo(P) >= 0)
        {
            return false;
        }

        Span<byte> encoded = stackalloc byte[Secp256k1Lengths.CompressedPublicKey];
        encoded[0] = (byte)((recoveryId & 1) != 0 ? 0x03 : 0x02);
        WriteInteger(x, encoded[1..]);
        var bigR = TryDecodePoint(encoded);
        if (bigR is null)
        {
            return false;
        }

        var e = ToInteger(hash);
        var rInverse = r.ModInverse(N);
        var u1 = N.Subtract(e).Multiply(rInverse).Mod(N);
        var u2 = s.Multiply(rInverse).Mod(N);
        var q = ECAlgorithms.SumOfTwoMultiplies(Parameters.G, u1, bigR, u2);
        if (q.IsInfinity)
        {
            return false;
        }

        WritePoint(q, publicKey);
        return true;
    }

    /// <inheritdoc />
    public bool Verify(ReadOnlySpan<byte> hash, ReadOnlySpan<byte> signature, ReadOnlySpan<byte> publicKey)
    {
        if (hash.Length != Secp256k1Lengths.Hash || signature.Length != Secp256k1Lengths.CompactSignature)
        {
            return false;
        }

        var point = TryDecodePoint(publicKey);
        if (point is null)
        {
            return false;
        }

        var r = ToInteger(signature[..32]);
        var s = ToInteger(signature[32..]);
        if (!InScalarRange(r) || !InScalarRange(s) || s.CompareTo(HalfN) > 0)
        {
            return false;
        }

        var e = ToInteger(hash);
        var sInverse = s.ModInverse(N);
        var u1 = e.Multiply(sInverse).Mod(N);
        var u2 = r.Multiply(sInverse).Mod(N);
        var candidate = ECAlgorithms.SumOfTwoMultiplies(Parameters.G, u1, point, u2).Normalize();
        return !candidate.IsInfinity && candidate.AffineXCoord.ToBigInteger().Mod(N).Equals(r);
    }

    private static bool InScalarRange(BigInteger value) => value.SignValue > 0 && value.CompareTo(N) < 0;

    private static BigInteger ToInteger(ReadOnlySpan<byte> bigEndian) => new(1, bigEndian.ToArray());

    private static BigInteger ReadPrivateKey(ReadOnlySpan<byte> privateKey)
    {
        if (privateKey.Length != Secp256k1Lengths.PrivateKey)
        {
            throw new DstackCryptoException("Invalid secp256k1 private key");
        }

        var d = ToInteger(privateKey);
        if (!InScalarRange(d))
        {
            throw new DstackCryptoException("Invalid secp256k1 private key");
        }

        return d;
    }

    private static ECPoint? TryDecodePoint(ReadOnlySpan<byte> encoded)
    {
        if (encoded.Length is not (Secp256k1Lengths.CompressedPublicKey or Secp256k1Lengths.UncompressedPublicKey))
        {
            return null;
        }

        var expectedPrefix = encoded.Length == Secp256k1Lengths.CompressedPublicKey
            ? encoded[0] is 0x02 or 0x03
            : encoded[0] == 0x04;
        if (!expectedPrefix)
        {
            return null;
        }

        try
        {
            var point = Parameters.Curve.DecodePoint(encoded.ToArray());
            return point.IsInfinity || !point.IsValid() ? null : point;
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    private static void WritePoint(ECPoint point, Span<byte> destination)
    {
        var compressed = destination.Length switch
        {
            Secp256k1Lengths.CompressedPublicKey => true,
            Secp256k1Lengths.UncompressedPublicKey => false,
            _ => throw new ArgumentException("The public key destination must be 33 or 65 bytes.", nameof(destination)),
        };
        point.Normalize().GetEncoded(compressed).CopyTo(destination);
    }

    private static void WriteInteger(BigInteger value, Span<byte> destination)
    {
        var bytes = value.ToByteArrayUnsigned();
        destination.Clear();
        bytes.CopyTo(destination[(destination.Length - bytes.Length)..]);
    }
}
