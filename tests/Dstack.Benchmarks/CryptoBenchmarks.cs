using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Dstack.Crypto.Edwards;
using Dstack.Crypto.Ethereum;
using Dstack.Crypto.Kdf;
using Dstack.Crypto.Secp256k1;

namespace Dstack.Benchmarks;

/// <summary>The primitives of the GetKey / Sign hot paths: the KDF, secp256k1 (libsecp256k1), ed25519, keccak-256.</summary>
[MemoryDiagnoser]
public class CryptoBenchmarks
{
    private readonly LibSecp256k1 _secp = LibSecp256k1.Instance;
    private readonly byte[] _key = SHA256.HashData("dstack benchmark key"u8);
    private readonly byte[] _hash = SHA256.HashData("message"u8);
    private readonly byte[] _signature = new byte[65];
    private readonly byte[] _publicKey = new byte[33];
    private readonly byte[] _recovered = new byte[65];
    private readonly byte[] _message = new byte[256];

    [GlobalSetup]
    public void Setup() => _secp.Sign(_hash, _key, _signature);

    [Benchmark]
    public byte[] Kdf_derive_key() => DstackKdf.DeriveKey(_key, "app-key/path"u8);

    [Benchmark]
    public byte[] Kdf_derive_secp256k1_key() => DstackKdf.DeriveSecp256k1PrivateKey(_key, "app-key/path"u8, _secp);

    [Benchmark]
    public void Secp256k1_sign_recoverable()
    {
        Span<byte> signature = stackalloc byte[65];
        _secp.Sign(_hash, _key, signature);
    }

    [Benchmark]
    public bool Secp256k1_recover() => _secp.TryRecover(_hash, _signature, _recovered);

    [Benchmark]
    public void Secp256k1_public_key() => _secp.GetPublicKey(_key, _publicKey);

    [Benchmark]
    public byte[] Ed25519_sign() => Ed25519.Sign(_key, _message);

    [Benchmark]
    public byte[] Keccak256_of_256_bytes() => Keccak256.Hash(_message);
}
