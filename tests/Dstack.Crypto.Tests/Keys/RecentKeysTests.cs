using Dstack.Crypto.Keys;
using Dstack.Crypto.Secp256k1;

namespace Dstack.Crypto.Tests.Keys;

public sealed class RecentKeysTests
{
    [Fact]
    public void A_key_asked_again_is_not_derived_again()
    {
        var cache = new RecentKeys<string, string>(4);
        var derivations = 0;
        string Derive(string key)
        {
            derivations++;
            return "value of " + key;
        }

        Assert.Equal("value of a", cache.GetOrAdd("a", Derive));
        Assert.Equal("value of a", cache.GetOrAdd("a", Derive));
        Assert.Equal(1, derivations);
    }

    [Fact]
    public void It_holds_at_most_two_generations_and_a_recent_hit_survives_a_turnover()
    {
        var cache = new RecentKeys<int, string>(3);
        var derived = new List<int>();
        string Derive(int key)
        {
            derived.Add(key);
            return key.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        foreach (var key in Enumerable.Range(0, 3))
        {
            cache.GetOrAdd(key, Derive); // generation 1: 0 1 2
        }

        cache.GetOrAdd(3, Derive);       // turnover: generation 2 starts with 3; 0 1 2 are the previous generation
        cache.GetOrAdd(0, Derive);       // a hit in the previous generation moves 0 forward, not derived again
        cache.GetOrAdd(4, Derive);       // generation 2: 3 0 4
        cache.GetOrAdd(5, Derive);       // turnover: 1 and 2 are dropped
        derived.Clear();

        cache.GetOrAdd(0, Derive);
        cache.GetOrAdd(3, Derive);
        cache.GetOrAdd(1, Derive);
        Assert.Equal([1], derived);
    }

    [Fact]
    public void GetKey_answers_from_the_cache_exactly_as_a_fresh_derivation()
    {
        var secp = LibSecp256k1.Instance;
        var root = Convert.FromHexString("1111111111111111111111111111111111111111111111111111111111111111");
        var cached = new AppKeyService(root, [], secp);
        cached.GetKey("p", "signing", KeyAlgorithm.Secp256k1);
        var hit = cached.GetKey("p", "signing", KeyAlgorithm.Secp256k1);
        var fresh = new AppKeyService(root, [], secp).GetKey("p", "signing", KeyAlgorithm.Secp256k1);
        Assert.Equal(fresh.Key.ToArray(), hit.Key.ToArray());
        Assert.Equal(fresh.PublicKey.ToArray(), hit.PublicKey.ToArray());
        Assert.Equal(fresh.SignatureChain.Select(s => s.ToArray()), hit.SignatureChain.Select(s => s.ToArray()));
        Assert.NotEqual(hit.SignatureChain[0].ToArray(), cached.GetKey("p", "other", KeyAlgorithm.Secp256k1).SignatureChain[0].ToArray());
    }
}
