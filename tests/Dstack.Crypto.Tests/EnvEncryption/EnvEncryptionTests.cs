using System.Text;
using Dstack.Crypto.Edwards;
using Dstack.Crypto.EnvEncryption;
using static Dstack.Crypto.Tests.TestVectors;

namespace Dstack.Crypto.Tests.EnvEncryption;

public class EnvEncryptionTests
{
    private const string RepoSecret = "7c282bf94b35dc47801dc953bfa0896fc2bd313381d3e8eca4e42f6536d2a96f";

    private const string RepoCiphertext =
        "0bd18749612f4c8b9dd583c7d6a646b90abd34e3c731a7708d0caf9039095641e1f0948e775f0b7351788db7f246d51806954626dcccb6a60d64665ca3715c6bef75616cab476d27bba04080361200d6a58cec";

    [Fact]
    public void Decrypt_RepoVector()
    {
        var plaintext = EnvCipher.Decrypt(Hex(RepoSecret), Hex(RepoCiphertext));
        Assert.Equal("[{\"key\":\"\",\"value\":\"\"}]", Encoding.UTF8.GetString(plaintext));

        // it is an array, not an env document
        Assert.Equal(EnvEncryptionError.InvalidJson, Assert.Throws<EnvEncryptionException>(() => EnvDocument.Parse(plaintext)).Error);
    }

    [Fact]
    public void EncryptThenDecrypt_WithSimulatorEnvKey()
    {
        var secret = TestVectors.AppKeys.HexOf("env_crypt_key");
        var document = EnvDocument.Serialize([new("API_KEY", "s3cr3t"), new("MODE", "a b")]);
        var blob = EnvCipher.Encrypt(X25519.GetPublicKey(secret), document);
        Assert.Equal(32 + 12 + document.Length + 16, blob.Length);
        var parsed = EnvDocument.Parse(EnvCipher.Decrypt(secret, blob));
        Assert.Equal([new EnvVariable("API_KEY", "s3cr3t"), new EnvVariable("MODE", "a b")], parsed);
    }

    [Fact]
    public void Encrypt_WithFixedEphemeral_IsDeterministicAndUsesRawSharedSecret()
    {
        var recipient = Hex(RepoSecret);
        var ephemeral = Enumerable.Repeat((byte)7, 32).ToArray();
        var nonce = new byte[12];
        var blob = EnvCipher.Encrypt(X25519.GetPublicKey(recipient), "hi"u8, ephemeral, nonce);
        Assert.Equal(X25519.GetPublicKey(ephemeral), blob.AsSpan(0, 32).ToArray());

        using var aes = new System.Security.Cryptography.AesGcm(X25519.SharedSecret(ephemeral, X25519.GetPublicKey(recipient)), 16);
        var plain = new byte[2];
        aes.Decrypt(nonce, blob.AsSpan(44, 2), blob.AsSpan(46), plain);
        Assert.Equal("hi"u8.ToArray(), plain);
    }

    [Fact]
    public void Decrypt_BadInputs_AreTyped()
    {
        var key = Hex(RepoSecret);
        var blob = Hex(RepoCiphertext);
        Assert.Equal(EnvEncryptionError.TooShort, Assert.Throws<EnvEncryptionException>(() => EnvCipher.Decrypt(key, blob.AsSpan(0, 43))).Error);
        Assert.Equal(EnvEncryptionError.InvalidKey, Assert.Throws<EnvEncryptionException>(() => EnvCipher.Decrypt(key.AsSpan(0, 31), blob)).Error);

        var tampered = blob.ToArray();
        tampered[^1] ^= 1;
        Assert.Equal(EnvEncryptionError.AuthenticationFailed, Assert.Throws<EnvEncryptionException>(() => EnvCipher.Decrypt(key, tampered)).Error);

        var wrongKey = key.ToArray();
        wrongKey[0] ^= 0x80;
        wrongKey[5] ^= 1;
        Assert.Equal(EnvEncryptionError.AuthenticationFailed, Assert.Throws<EnvEncryptionException>(() => EnvCipher.Decrypt(wrongKey, blob)).Error);

        var lowOrder = blob.ToArray();
        lowOrder.AsSpan(0, 32).Clear();
        Assert.Equal(EnvEncryptionError.ZeroSharedSecret, Assert.Throws<EnvEncryptionException>(() => EnvCipher.Decrypt(key, lowOrder)).Error);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("{\"env\":{}}")]
    [InlineData("{\"env\":[{\"key\":1,\"value\":\"x\"}]}")]
    [InlineData("{\"other\":[]}")]
    public void Parse_RejectsMalformedDocuments(string json) =>
        Assert.Equal(EnvEncryptionError.InvalidJson, Assert.Throws<EnvEncryptionException>(() => EnvDocument.Parse(Encoding.UTF8.GetBytes(json))).Error);

    [Fact]
    public void Filter_SkipsUnknownKeys_LastWins_SortsOrdinal()
    {
        var result = EnvDocument.Filter(
            [new("b", "1"), new("NOT_ALLOWED", "x"), new("A", "2"), new("b", "3"), new("1bad", "ignored because not allowed")],
            ["A", "b"],
            out var skipped);
        Assert.Equal(["A", "b"], result.Keys);
        Assert.Equal("3", result["b"]);
        Assert.Equal(["NOT_ALLOWED", "1bad"], skipped);
    }

    [Fact]
    public void Filter_EnforcesRulesOnKeptEntries()
    {
        Assert.Equal(EnvEncryptionError.InvalidName,
            Assert.Throws<EnvEncryptionException>(() => EnvDocument.Filter([new("1bad", "x")], ["1bad"], out _)).Error);
        Assert.Equal(EnvEncryptionError.InvalidName,
            Assert.Throws<EnvEncryptionException>(() => EnvDocument.Filter([new("", "x")], [""], out _)).Error);
        var longName = new string('A', 256);
        Assert.Equal(EnvEncryptionError.InvalidName,
            Assert.Throws<EnvEncryptionException>(() => EnvDocument.Filter([new(longName, "x")], [longName], out _)).Error);
        Assert.Equal(EnvEncryptionError.ValueTooLong,
            Assert.Throws<EnvEncryptionException>(() => EnvDocument.Filter([new("V", new string('x', 128 * 1024 + 1))], ["V"], out _)).Error);
        var big = Enumerable.Range(0, 9).Select(i => new EnvVariable("V" + i, new string('x', 128 * 1024))).ToList();
        Assert.Equal(EnvEncryptionError.TooLarge,
            Assert.Throws<EnvEncryptionException>(() => EnvDocument.Filter(big, big.Select(v => v.Key), out _)).Error);
        var many = Enumerable.Range(0, 1025).Select(i => new EnvVariable("K", "v")).ToList();
        Assert.Equal(EnvEncryptionError.TooManyItems,
            Assert.Throws<EnvEncryptionException>(() => EnvDocument.Filter(many, ["K"], out _)).Error);
    }

    [Fact]
    public void ToDotEnv_QuotesAndEscapesAsSpecified()
    {
        var env = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["PLAIN"] = "abc",
            ["SPACED"] = "a b",
            ["TRICKY"] = "x\"y$z`w\nv\\u",
            ["EMPTY"] = "",
        };
        Assert.Equal(
            "EMPTY=\nPLAIN=abc\nSPACED=\"a b\"\nTRICKY=\"x\\\"y\\$z\\`w\\nv\\u\"\n",
            EnvDocument.ToDotEnv(env));
        Assert.Equal("{\"EMPTY\":\"\",\"PLAIN\":\"abc\",\"SPACED\":\"a b\",\"TRICKY\":\"x\\\"y$z`w\\nv\\\\u\"}", Encoding.UTF8.GetString(EnvDocument.ToJsonObject(env)));
    }
}
