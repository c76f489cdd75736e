using System.Numerics;
using System.Text;
using Dstack.Ethereum.Abi;

namespace Dstack.Ethereum.Tests.Abi;

public sealed class AbiEncodingTests
{
    private static string Words(params string[] words) => string.Concat(words.Select(w => w.PadLeft(64, '0')));

    private static string Right(string hex) => hex.PadRight(64, '0');

    [Fact]
    public void Baz_uint32_bool_matches_the_solidity_docs()
    {
        var f = AbiFunction.Parse("baz(uint32,bool)");
        Assert.Equal("cdcd77c0", Convert.ToHexStringLower(f.Selector));
        Assert.Equal("cdcd77c0" + Words("45", "1"), Convert.ToHexStringLower(f.EncodeCall(69u, true)));
    }

    [Fact]
    public void Sam_bytes_bool_uint256_array_matches_the_solidity_docs()
    {
        var f = AbiFunction.Parse("sam(bytes,bool,uint256[])");
        var encoded = f.EncodeCall(Encoding.ASCII.GetBytes("dave"), true, new object[] { 1, 2, 3 });
        var expected = "a5643bf2" + Words("60", "1", "a0", "4") + Right("64617665") + Words("3", "1", "2", "3");
        Assert.Equal(expected, Convert.ToHexStringLower(encoded));

        var decoded = f.DecodeCall(encoded);
        Assert.Equal("dave"u8.ToArray(), (byte[])decoded[0]!);
        Assert.True((bool)decoded[1]!);
        Assert.Equal(new object[] { new BigInteger(1), new BigInteger(2), new BigInteger(3) }, (object?[])decoded[2]!);
    }

    [Fact]
    public void F_with_fixed_and_dynamic_members_matches_the_solidity_docs()
    {
        var f = AbiFunction.Parse("f(uint256,uint32[],bytes10,bytes)");
        var encoded = f.EncodeCall(0x123, new object[] { 0x456, 0x789 }, Encoding.ASCII.GetBytes("1234567890"), Encoding.ASCII.GetBytes("Hello, world!"));
        var expected = "8be65246"
            + Words("123", "80") + Right("31323334353637383930") + Words("e0", "2", "456", "789", "d")
            + Right(Convert.ToHexStringLower(Encoding.ASCII.GetBytes("Hello, world!")));
        Assert.Equal(expected, Convert.ToHexStringLower(encoded));
    }

    [Fact]
    public void G_nested_arrays_and_string_array_matches_the_solidity_docs()
    {
        var f = AbiFunction.Parse("g(uint256[][],string[])");
        var encoded = f.EncodeCall(
            new object[] { new object[] { 1, 2 }, new object[] { 3 } },
            new object[] { "one", "two", "three" });
        var expected = "2289b18c"
            + Words("40", "140", "2", "40", "a0", "2", "1", "2", "1", "3")
            + Words("3", "60", "a0", "e0")
            + Words("3") + Right("6f6e65") + Words("3") + Right("74776f") + Words("5") + Right("7468726565");
        Assert.Equal(expected, Convert.ToHexStringLower(encoded));

        var decoded = f.DecodeCall(encoded);
        var strings = (object?[])decoded[1]!;
        Assert.Equal(new object[] { "one", "two", "three" }, strings);
        var nested = (object?[])decoded[0]!;
        Assert.Equal(new BigInteger(3), ((object?[])nested[1]!)[0]);
    }

    [Fact]
    public void Signed_integers_use_twos_complement()
    {
        var encoded = AbiEncoder.Encode([AbiType.Parse("int8"), AbiType.Parse("int256")], [-1, new BigInteger(-2)]);
        Assert.Equal(new string('f', 128 - 1) + "e", Convert.ToHexStringLower(encoded));
        var decoded = AbiDecoder.Decode([AbiType.Parse("int8"), AbiType.Parse("int256")], encoded);
        Assert.Equal(new BigInteger(-1), decoded[0]);
        Assert.Equal(new BigInteger(-2), decoded[1]);
        Assert.Throws<AbiException>(() => AbiEncoder.Encode([AbiType.Parse("int8")], [128]));
        Assert.Throws<AbiException>(() => AbiEncoder.Encode([AbiType.Parse("uint8")], [256]));
    }

    [Fact]
    public void Nested_dynamic_tuples_round_trip()
    {
        var type = AbiType.Parse("(uint8,(string,bytes32)[],string[2],address)[]");
        Assert.Equal("(uint8,(string,bytes32)[],string[2],address)[]", type.CanonicalName);
        Assert.True(type.IsDynamic);
        var value = new object?[]
        {
            new object?[] { 7, new object?[] { new object?[] { "a", new byte[32] }, new object?[] { "bc", Enumerable.Repeat((byte)1, 32).ToArray() } }, new object?[] { "x", "" }, EvmAddress.Parse("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266") },
        };
        var encoded = AbiEncoder.Encode([type], [value]);
        var decoded = (object?[])AbiDecoder.Decode([type], encoded)[0]!;
        var first = (object?[])decoded[0]!;
        Assert.Equal(new BigInteger(7), first[0]);
        Assert.Equal("bc", ((object?[])((object?[])first[1]!)[1]!)[0]);
        Assert.Equal(new object[] { "x", "" }, (object?[])first[2]!);
        Assert.Equal(EvmAddress.Parse("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"), first[3]);
        Assert.Equal(encoded, AbiEncoder.Encode([type], [decoded]));
    }

    [Theory]
    [InlineData("uint", "uint256")]
    [InlineData("int", "int256")]
    [InlineData("bytes32[3][]", "bytes32[3][]")]
    [InlineData("((address,bool)[],string)", "((address,bool)[],string)")]
    [InlineData("()", "()")]
    public void Type_names_parse(string name, string canonical) => Assert.Equal(canonical, AbiType.Parse(name).CanonicalName);

    [Theory]
    [InlineData("uint7")]
    [InlineData("uint264")]
    [InlineData("bytes33")]
    [InlineData("bytes0")]
    [InlineData("(uint256")]
    [InlineData("uint256[0]")]
    [InlineData("foo")]
    [InlineData("uint256[")]
    public void Bad_type_names_are_rejected(string name) => Assert.Throws<AbiException>(() => AbiType.Parse(name));
}
