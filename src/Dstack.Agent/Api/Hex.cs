namespace Dstack.Agent.Api;

/// <summary>
/// The API's hex input rules: optional (repeated) <c>0x</c> prefix and either case, errors in dstack's words. Output is
/// lowercase without prefix (<see cref="JsonText.WriteHexString"/>).
/// </summary>
internal static class Hex
{
    /// <summary>Decodes <paramref name="text"/>; errors name <paramref name="field"/>.</summary>
    public static byte[] Decode(string field, string text)
    {
        var digits = text.AsSpan();
        while (digits.StartsWith("0x", StringComparison.Ordinal))
        {
            digits = digits[2..];
        }

        if (digits.Length % 2 != 0)
        {
            throw new RpcException($"invalid hex in field `{field}`: Odd number of digits");
        }

        var bytes = new byte[digits.Length / 2];
        for (var i = 0; i < digits.Length; i += 2)
        {
            bytes[i / 2] = (byte)((Nibble(field, digits[i], i) << 4) | Nibble(field, digits[i + 1], i + 1));
        }

        return bytes;
    }

    private static int Nibble(string field, char c, int index) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => throw new RpcException($"invalid hex in field `{field}`: Invalid character {JsonText.Quote(c.ToString())} at position {index}"),
    };
}
