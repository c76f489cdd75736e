using Dstack.Rpc.Protocol;

namespace Dstack.Rpc.Tests.Protocol;

public sealed class StatusMessageEncodingTests
{
    [Fact]
    public void Printable_ascii_is_unchanged()
    {
        const string Message = "compose hash not allowed: 0xabc (app 42) [] {} ~!@#$^&*";
        Assert.Equal(Message, StatusMessageEncoding.Encode(Message));
    }

    [Theory]
    [InlineData("100%", "100%25")]
    [InlineData("a\nb", "a%0Ab")]
    [InlineData("tab\t", "tab%09")]
    [InlineData("é", "%C3%A9")]
    [InlineData("ключ", "%D0%BA%D0%BB%D1%8E%D1%87")]
    [InlineData("✓", "%E2%9C%93")]
    [InlineData("🔐", "%F0%9F%94%90")]
    [InlineData("\u007F", "%7F")]
    public void Encodes_percent_control_and_non_ascii_as_utf8_bytes(string message, string encoded)
    {
        Assert.Equal(encoded, StatusMessageEncoding.Encode(message));
        Assert.Equal(message, StatusMessageEncoding.Decode(encoded));
    }

    [Theory]
    [InlineData("")]
    [InlineData("plain")]
    [InlineData("KMS is not allowed: compose hash 100% ✓ — ключ 🔐\r\n")]
    public void Round_trips(string message)
    {
        var encoded = StatusMessageEncoding.Encode(message);
        Assert.All(encoded, c => Assert.InRange(c, ' ', '~'));
        Assert.Equal(message, StatusMessageEncoding.Decode(encoded));
    }

    [Theory]
    [InlineData("50%", "50%")]
    [InlineData("%zz", "%zz")]
    [InlineData("%4", "%4")]
    [InlineData("%41%42", "AB")]
    [InlineData("%c3%a9", "é")]
    [InlineData("%FF", "\uFFFD")]
    public void Decoding_is_lenient(string encoded, string message)
    {
        Assert.Equal(message, StatusMessageEncoding.Decode(encoded));
    }

    [Fact]
    public void Decoding_null_is_empty()
    {
        Assert.Equal(string.Empty, StatusMessageEncoding.Decode(null));
    }
}
