using System.Text;

namespace Dstack.Attestation.EventLog;

/// <summary>
/// The few pieces of RFC 8785 (JCS) needed for the V2 runtime-event preimage: string escaping with exactly
/// <c>\" \\ \b \f \n \r \t</c>, other C0 controls as lowercase <c>\u00xx</c>, everything else (non-ASCII
/// included) emitted raw as UTF-8.
/// </summary>
internal static class CanonicalJson
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Appends <paramref name="value"/> as a JCS string literal (quotes included).</summary>
    public static void AppendString(StringBuilder builder, string value)
    {
        builder.Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': builder.Append("\\\""); break;
                case '\\': builder.Append("\\\\"); break;
                case '\b': builder.Append("\\b"); break;
                case '\f': builder.Append("\\f"); break;
                case '\n': builder.Append("\\n"); break;
                case '\r': builder.Append("\\r"); break;
                case '\t': builder.Append("\\t"); break;
                default:
                    if (c < 0x20)
                    {
                        builder.Append("\\u00").Append(((int)c).ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        builder.Append(c);
                    }

                    break;
            }
        }

        builder.Append('"');
    }

    /// <summary>UTF-8 bytes of <paramref name="text"/>; a lone surrogate is an error rather than a silent U+FFFD.</summary>
    public static byte[] Utf8(string text)
    {
        try
        {
            return StrictUtf8.GetBytes(text);
        }
        catch (EncoderFallbackException ex)
        {
            throw new EventLogFormatException("event name is not valid Unicode (lone surrogate)", ex);
        }
    }
}
