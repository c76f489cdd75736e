using System.Buffers;
using System.Text;

namespace Dstack.Agent.Api;

/// <summary>
/// Writes JSON text that is pure ASCII: non-ASCII characters become <c>\uXXXX</c> escapes (UTF-16 units, so
/// astral characters become surrogate pairs). The JS SDK's Unix-socket client counts decoded string length against
/// <c>Content-Length</c>, so any non-ASCII byte in a response would make it wait for the connection to close.
/// Control characters are escaped as serde_json does (<c>\n</c>, <c>\u001f</c>, …); nothing else is escaped.
/// </summary>
internal static class JsonText
{
    /// <summary>Appends <paramref name="value"/> as a quoted JSON string.</summary>
    public static void WriteString(IBufferWriter<byte> output, string value)
    {
        // the exact size first: asking for the worst case (6 bytes a char) would make large strings grow the buffer 6-fold
        var span = output.GetSpan(EscapedLength(value) + 2);
        var n = 0;
        span[n++] = (byte)'"';
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': span[n++] = (byte)'\\'; span[n++] = (byte)'"'; break;
                case '\\': span[n++] = (byte)'\\'; span[n++] = (byte)'\\'; break;
                case '\n': span[n++] = (byte)'\\'; span[n++] = (byte)'n'; break;
                case '\r': span[n++] = (byte)'\\'; span[n++] = (byte)'r'; break;
                case '\t': span[n++] = (byte)'\\'; span[n++] = (byte)'t'; break;
                case '\b': span[n++] = (byte)'\\'; span[n++] = (byte)'b'; break;
                case '\f': span[n++] = (byte)'\\'; span[n++] = (byte)'f'; break;
                case < ' ' or > '~':
                    span[n++] = (byte)'\\';
                    span[n++] = (byte)'u';
                    span[n++] = HexDigit(c >> 12);
                    span[n++] = HexDigit((c >> 8) & 0xF);
                    span[n++] = HexDigit((c >> 4) & 0xF);
                    span[n++] = HexDigit(c & 0xF);
                    break;
                default: span[n++] = (byte)c; break;
            }
        }

        span[n++] = (byte)'"';
        output.Advance(n);
    }

    /// <summary>Appends <paramref name="bytes"/> as a quoted string of lowercase hex digits.</summary>
    public static void WriteHexString(IBufferWriter<byte> output, ReadOnlySpan<byte> bytes)
    {
        var span = output.GetSpan((bytes.Length * 2) + 2);
        span[0] = (byte)'"';
        Convert.TryToHexStringLower(bytes, span[1..], out var written);
        span[written + 1] = (byte)'"';
        output.Advance(written + 2);
    }

    /// <summary>Appends ASCII text verbatim.</summary>
    public static void WriteRaw(IBufferWriter<byte> output, string ascii)
    {
        var count = Encoding.ASCII.GetBytes(ascii, output.GetSpan(ascii.Length));
        output.Advance(count);
    }

    /// <summary><paramref name="value"/> as an ASCII JSON string literal.</summary>
    public static string Quote(string value)
    {
        var buffer = new ArrayBufferWriter<byte>();
        WriteString(buffer, value);
        return Encoding.ASCII.GetString(buffer.WrittenSpan);
    }

    /// <summary>The error body: pretty-printed with two-space indent, as dstack (serde_json pretty) sends it.</summary>
    public static byte[] ErrorBody(string message)
    {
        var buffer = new ArrayBufferWriter<byte>();
        WriteRaw(buffer, "{\n  \"error\": ");
        WriteString(buffer, message);
        WriteRaw(buffer, "\n}");
        return buffer.WrittenSpan.ToArray();
    }

    private static int EscapedLength(string value)
    {
        var length = 0;
        foreach (var c in value)
        {
            length += c switch
            {
                '"' or '\\' or '\n' or '\r' or '\t' or '\b' or '\f' => 2,
                < ' ' or > '~' => 6,
                _ => 1,
            };
        }

        return length;
    }

    private static byte HexDigit(int value) => (byte)(value < 10 ? '0' + value : 'a' + value - 10);
}
