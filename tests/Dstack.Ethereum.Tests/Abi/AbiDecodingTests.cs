using System.Numerics;
using Dstack.Ethereum.Abi;

namespace Dstack.Ethereum.Tests.Abi;

public sealed class AbiDecodingTests
{
    private static byte[] Words(params string[] words) => Convert.FromHexString(string.Concat(words.Select(w => w.PadLeft(64, '0'))));

    private static readonly AbiParameter[] Result = [new("isAllowed", AbiType.Bool), new("reason", AbiType.Text)];

    [Fact]
    public void Bool_and_string_decode()
    {
        var data = AbiEncoder.Encode(Result, [false, "Compose hash not allowed"]);
        var values = AbiDecoder.Decode(Result, data);
        Assert.False((bool)values[0]!);
        Assert.Equal("Compose hash not allowed", values[1]);
    }

    [Fact]
    public void Truncated_data_names_the_parameter()
    {
        var data = AbiEncoder.Encode(Result, [true, "hello"]);
        var ex = Assert.Throws<AbiException>(() => AbiDecoder.Decode(Result, data.AsSpan(0, data.Length - 32)));
        Assert.Contains("reason", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Offset_outside_the_data_is_rejected()
    {
        var data = Words("1", "1000");
        var ex = Assert.Throws<AbiException>(() => AbiDecoder.Decode(Result, data));
        Assert.Contains("'reason'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Huge_length_is_rejected()
    {
        var data = Words("1", "40", "ffffffffffffffff");
        Assert.Throws<AbiException>(() => AbiDecoder.Decode(Result, data));
        var array = Words("20", "7fffffff");
        var ex = Assert.Throws<AbiException>(() => AbiDecoder.Decode([new AbiParameter("ids", AbiType.Parse("string[]"))], array));
        Assert.Contains("'ids'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bool_must_be_zero_or_one() =>
        Assert.Throws<AbiException>(() => AbiDecoder.Decode([new AbiParameter("flag", AbiType.Bool)], Words("2")));

    [Fact]
    public void Address_high_bytes_must_be_zero() =>
        Assert.Throws<AbiException>(() => AbiDecoder.Decode([new AbiParameter("owner", AbiType.Address)], Words("1" + new string('0', 40))));

    [Fact]
    public void Uint8_high_bits_must_be_zero()
    {
        Assert.Throws<AbiException>(() => AbiDecoder.Decode([AbiType.Parse("uint8")], Words("100")));
        Assert.Equal(new BigInteger(255), AbiDecoder.Decode([AbiType.Parse("uint8")], Words("ff"))[0]);
    }

    [Fact]
    public void Nonzero_padding_is_rejected()
    {
        Assert.Throws<AbiException>(() => AbiDecoder.Decode([AbiType.Parse("bytes4")], Convert.FromHexString("01020304" + new string('0', 55) + "1")));
        var data = AbiEncoder.Encode([AbiType.Bytes], [new byte[] { 1 }]);
        data[^1] = 9;
        Assert.Throws<AbiException>(() => AbiDecoder.Decode([AbiType.Bytes], data));
    }

    [Fact]
    public void Invalid_utf8_is_rejected()
    {
        var data = AbiEncoder.Encode([AbiType.Bytes], [new byte[] { 0xff, 0xfe }]);
        Assert.Throws<AbiException>(() => AbiDecoder.Decode([AbiType.Text], data));
    }

    [Fact]
    public void Self_referencing_offsets_cannot_blow_up()
    {
        // a string[] of 2000 elements whose offsets all point at the same 60 KB string
        const int count = 2000;
        var stringLength = 60_000;
        var words = new List<string> { "20", count.ToString("x", System.Globalization.CultureInfo.InvariantCulture) };
        var tail = (count * 32).ToString("x", System.Globalization.CultureInfo.InvariantCulture);
        words.AddRange(Enumerable.Repeat(tail, count));
        words.Add(stringLength.ToString("x", System.Globalization.CultureInfo.InvariantCulture));
        var data = Words([.. words]).Concat(new byte[stringLength]).ToArray();
        Assert.Throws<AbiException>(() => AbiDecoder.Decode([AbiType.Parse("string[]")], data));
    }

    [Fact]
    public void Error_string_revert_is_decoded()
    {
        var data = AbiFunction.Parse("Error(string)").EncodeCall("Invalid app ID");
        var reason = RevertReason.Decode(data);
        Assert.Equal(RevertReasonKind.Message, reason.Kind);
        Assert.Equal("Invalid app ID", reason.Message);
        Assert.Equal("08c379a0", Convert.ToHexStringLower(data.AsSpan(0, 4)));
    }

    [Fact]
    public void Panic_revert_is_decoded()
    {
        var data = AbiFunction.Parse("Panic(uint256)").EncodeCall(0x11);
        var reason = RevertReason.Decode(data);
        Assert.Equal(RevertReasonKind.Panic, reason.Kind);
        Assert.Equal(new BigInteger(0x11), reason.PanicCode);
        Assert.Equal("panic 0x11", reason.ToString());
    }

    [Fact]
    public void Custom_error_is_decoded_by_selector()
    {
        var error = new AbiError("OwnableUnauthorizedAccount", [new AbiParameter("account", AbiType.Address)]);
        Assert.Equal("118cdaa7", Convert.ToHexStringLower(error.Selector));
        var account = EvmAddress.Parse("0x70997970C51812dc3A010C7d01b50e0d17dc79C8");
        byte[] data = [.. error.Selector, .. AbiEncoder.Encode(error.Inputs, [account])];
        var reason = RevertReason.Decode(data, [error]);
        Assert.Equal(RevertReasonKind.CustomError, reason.Kind);
        Assert.Equal(account, reason.Arguments[0]);
        Assert.Equal("OwnableUnauthorizedAccount(0x70997970C51812dc3A010C7d01b50e0d17dc79C8)", reason.ToString());
        Assert.Equal(RevertReasonKind.Unknown, RevertReason.Decode(data).Kind);
        Assert.Equal(RevertReasonKind.Empty, RevertReason.Decode([]).Kind);
    }

    [Fact]
    public void Event_with_indexed_and_unindexed_values_is_decoded()
    {
        var e = new AbiEvent("PolicyChanged", [
            new AbiParameter("actor", AbiType.Address, Indexed: true),
            new AbiParameter("policy", AbiType.Bytes32, Indexed: true),
            new AbiParameter("value", AbiType.Bytes32, Indexed: true),
            new AbiParameter("enabled", AbiType.Bool)]);
        Assert.Equal("341d3bc64e32172fc5bcf27b0f7f69dc5adc19af64b7aa1dee361e5883c32375", Convert.ToHexStringLower(e.Topic));
        var actor = EvmAddress.Parse("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
        var policy = AbiSignature.Hash("compose-hash");
        var value = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
        var topics = new[] { e.Topic, [.. new byte[12], .. actor.Bytes], policy, value };
        var decoded = e.Decode(topics, Words("1"));
        Assert.Equal(actor, decoded[0]);
        Assert.Equal(policy, (byte[])decoded[1]!);
        Assert.Equal(value, (byte[])decoded[2]!);
        Assert.True((bool)decoded[3]!);
        Assert.Throws<AbiException>(() => e.Decode(topics[..3], Words("1")));
    }

    [Fact]
    public void Indexed_string_is_its_hash()
    {
        var e = new AbiEvent("Named", [new AbiParameter("name", AbiType.Text, Indexed: true), new AbiParameter("n", AbiType.UInt256)]);
        var hash = AbiSignature.Hash("hello");
        var decoded = e.Decode([e.Topic, hash], Words("5"));
        Assert.Equal(hash, (byte[])decoded[0]!);
        Assert.Equal(new BigInteger(5), decoded[1]);
    }
}
