using System.Security.Cryptography;

namespace Dstack.Crypto.Encodings;

/// <summary>
/// Exact encodings of NIST P-256 keys as dstack produces them: the fixed 138-byte PKCS#8 v1 DER (no curve
/// parameters inside the ECPrivateKey, public key included), its PEM form, and the 91-byte SubjectPublicKeyInfo.
/// </summary>
public static class P256KeyEncoding
{
    /// <summary>Length of a P-256 private scalar.</summary>
    public const int PrivateKeyLength = 32;

    /// <summary>Length of an uncompressed P-256 point (<c>04 ‖ X ‖ Y</c>).</summary>
    public const int PublicPointLength = 65;

    /// <summary>Length of the dstack PKCS#8 DER of a P-256 key.</summary>
    public const int Pkcs8Length = 138;

    /// <summary>Length of a P-256 SubjectPublicKeyInfo DER.</summary>
    public const int SubjectPublicKeyInfoLength = 91;

    // SEQUENCE(135) { INTEGER 0, SEQUENCE { id-ecPublicKey, prime256v1 }, OCTET STRING(109) {
    //   SEQUENCE(107) { INTEGER 1, OCTET STRING(32) <d>, [1] { BIT STRING <point> } } } }
    private static ReadOnlySpan<byte> Pkcs8Prefix =>
    [
        0x30, 0x81, 0x87, 0x02, 0x01, 0x00, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01,
        0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x04, 0x6d, 0x30, 0x6b, 0x02, 0x01, 0x01,
        0x04, 0x20,
    ];

    private static ReadOnlySpan<byte> Pkcs8PublicKeyTag => [0xa1, 0x44, 0x03, 0x42, 0x00];

    private static ReadOnlySpan<byte> SpkiPrefix =>
    [
        0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86,
        0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
    ];

    // Group order n of P-256, big-endian.
    private static ReadOnlySpan<byte> Order =>
    [
        0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
    ];

    /// <summary>True when <paramref name="scalar"/> is 32 bytes and lies in [1, n-1] (no reduction).</summary>
    /// <param name="scalar">Big-endian private scalar.</param>
    /// <returns>Whether the scalar is a usable P-256 private key.</returns>
    public static bool IsValidPrivateKey(ReadOnlySpan<byte> scalar) =>
        scalar.Length == PrivateKeyLength
        && scalar.IndexOfAnyExcept((byte)0) >= 0
        && scalar.SequenceCompareTo(Order) < 0;

    /// <summary>Creates an <see cref="ECDsa"/> key from a private scalar. The caller disposes it.</summary>
    /// <param name="scalar">Big-endian private scalar in [1, n-1].</param>
    /// <returns>The key, with its public point computed.</returns>
    public static ECDsa CreateECDsa(ReadOnlySpan<byte> scalar)
    {
        if (!IsValidPrivateKey(scalar))
        {
            throw new DstackCryptoException("Invalid P-256 private key");
        }

        var parameters = new ECParameters { Curve = ECCurve.NamedCurves.nistP256, D = scalar.ToArray() };
        try
        {
            return ECDsa.Create(parameters);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(parameters.D);
        }
    }

    /// <summary>Computes the uncompressed public point <c>04 ‖ X ‖ Y</c> of a private scalar.</summary>
    /// <param name="scalar">Big-endian private scalar in [1, n-1].</param>
    /// <returns>65 bytes.</returns>
    public static byte[] GetPublicPoint(ReadOnlySpan<byte> scalar)
    {
        using var key = CreateECDsa(scalar);
        return GetPublicPoint(key);
    }

    /// <summary>Returns the uncompressed public point <c>04 ‖ X ‖ Y</c> of a P-256 key.</summary>
    /// <param name="key">A P-256 key.</param>
    /// <returns>65 bytes.</returns>
    public static byte[] GetPublicPoint(ECDsa key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var q = key.ExportParameters(false).Q;
        var point = new byte[PublicPointLength];
        point[0] = 0x04;
        q.X.AsSpan().CopyTo(point.AsSpan(1, 32));
        q.Y.AsSpan().CopyTo(point.AsSpan(33, 32));
        return point;
    }

    /// <summary>Builds the exact 138-byte PKCS#8 DER dstack uses for a P-256 private key.</summary>
    /// <param name="scalar">Big-endian private scalar in [1, n-1].</param>
    /// <returns>The DER bytes.</returns>
    public static byte[] ToPkcs8Der(ReadOnlySpan<byte> scalar)
    {
        var point = GetPublicPoint(scalar);
        var der = new byte[Pkcs8Length];
        var span = der.AsSpan();
        Pkcs8Prefix.CopyTo(span);
        scalar.CopyTo(span[Pkcs8Prefix.Length..]);
        Pkcs8PublicKeyTag.CopyTo(span[(Pkcs8Prefix.Length + PrivateKeyLength)..]);
        point.CopyTo(span[(Pkcs8Prefix.Length + PrivateKeyLength + Pkcs8PublicKeyTag.Length)..]);
        return der;
    }

    /// <summary>PEM (<c>PRIVATE KEY</c>, 64-character lines, LF, trailing newline) of <see cref="ToPkcs8Der"/>.</summary>
    /// <param name="scalar">Big-endian private scalar in [1, n-1].</param>
    /// <returns>The PEM text.</returns>
    public static string ToPkcs8Pem(ReadOnlySpan<byte> scalar)
    {
        var der = ToPkcs8Der(scalar);
        try
        {
            return new string(PemEncoding.Write("PRIVATE KEY", der)) + "\n";
        }
        finally
        {
            CryptographicOperations.ZeroMemory(der);
        }
    }

    /// <summary>Reads the private scalar from a P-256 private key in PKCS#8 or SEC1 PEM.</summary>
    /// <param name="pem">PEM text.</param>
    /// <returns>The 32-byte big-endian scalar.</returns>
    public static byte[] ReadPrivateKeyPem(string pem)
    {
        ArgumentNullException.ThrowIfNull(pem);
        using var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(pem);
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException)
        {
            throw new DstackCryptoException("Invalid P-256 private key PEM", ex);
        }

        return ExportScalar(key);
    }

    /// <summary>Reads the private scalar from a P-256 PKCS#8 DER.</summary>
    /// <param name="der">PKCS#8 DER.</param>
    /// <returns>The 32-byte big-endian scalar.</returns>
    public static byte[] ReadPkcs8Der(ReadOnlySpan<byte> der)
    {
        using var key = ECDsa.Create();
        try
        {
            key.ImportPkcs8PrivateKey(der, out _);
        }
        catch (CryptographicException ex)
        {
            throw new DstackCryptoException("Invalid P-256 PKCS#8 key", ex);
        }

        return ExportScalar(key);
    }

    /// <summary>The 91-byte SubjectPublicKeyInfo DER of an uncompressed P-256 point.</summary>
    /// <param name="publicPoint">65 bytes <c>04 ‖ X ‖ Y</c>.</param>
    /// <returns>The DER bytes.</returns>
    public static byte[] ToSubjectPublicKeyInfo(ReadOnlySpan<byte> publicPoint)
    {
        if (publicPoint.Length != PublicPointLength || publicPoint[0] != 0x04)
        {
            throw new DstackCryptoException("Invalid P-256 public key");
        }

        var spki = new byte[SubjectPublicKeyInfoLength];
        SpkiPrefix.CopyTo(spki);
        publicPoint.CopyTo(spki.AsSpan(SpkiPrefix.Length));
        return spki;
    }

    /// <summary>The SubjectPublicKeyInfo DER of a P-256 private scalar's public key.</summary>
    /// <param name="scalar">Big-endian private scalar in [1, n-1].</param>
    /// <returns>91 bytes.</returns>
    public static byte[] SubjectPublicKeyInfoOf(ReadOnlySpan<byte> scalar) => ToSubjectPublicKeyInfo(GetPublicPoint(scalar));

    private static byte[] ExportScalar(ECDsa key)
    {
        var parameters = key.ExportParameters(true);
        try
        {
            if (parameters.Curve.Oid?.Value != ECCurve.NamedCurves.nistP256.Oid.Value || parameters.D is null)
            {
                throw new DstackCryptoException("Not a P-256 private key");
            }

            var scalar = new byte[PrivateKeyLength];
            parameters.D.CopyTo(scalar.AsSpan(PrivateKeyLength - parameters.D.Length));
            return scalar;
        }
        finally
        {
            if (parameters.D is not null)
            {
                CryptographicOperations.ZeroMemory(parameters.D);
            }
        }
    }
}
