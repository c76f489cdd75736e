using System.Globalization;
using Dstack.Ethereum;

namespace Dstack.Gov.Cli;

/// <summary>Parses addresses, 32-byte hashes and numbers from the command line with errors that name the argument.</summary>
internal static class Arguments
{
    /// <summary>Parses an address (<c>0x</c> + 40 hex digits; mixed case must be a valid EIP-55 checksum).</summary>
    public static EvmAddress Address(string argument, string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new GovUsageException($"{argument}: an address is required");
        }

        var trimmed = text.Trim();
        if (EvmAddress.TryParse(trimmed, out var address))
        {
            return address;
        }

        var digits = trimmed.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? trimmed[2..] : trimmed;
        var why = digits.Length != 40 ? $"it has {digits.Length} hex digits, an address has 40"
            : !digits.All(char.IsAsciiHexDigit) ? "it contains a character that is not a hex digit"
            : "its mixed-case EIP-55 checksum is wrong (check for a typo, or write it all in lower case)";
        throw new GovUsageException($"{argument}: '{trimmed}' is not an Ethereum address: {why}");
    }

    /// <summary>Parses an optional address; null stays null.</summary>
    public static EvmAddress? OptionalAddress(string argument, string? text) =>
        string.IsNullOrWhiteSpace(text) ? null : Address(argument, text);

    /// <summary>Parses 32 bytes of hex (optional <c>0x</c>).</summary>
    public static byte[] Bytes32(string argument, string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new GovUsageException($"{argument}: a 32-byte hex value is required");
        }

        var trimmed = text.Trim();
        var digits = trimmed.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? trimmed[2..] : trimmed;
        if (!digits.All(char.IsAsciiHexDigit))
        {
            throw new GovUsageException($"{argument}: '{trimmed}' is not hex (expected 64 hex digits, optionally after 0x)");
        }

        if (digits.Length != 64)
        {
            throw new GovUsageException($"{argument}: '{trimmed}' has {digits.Length} hex digits; a 32-byte hash has 64");
        }

        return Convert.FromHexString(digits);
    }

    /// <summary>Parses a non-negative block number (decimal or <c>0x</c> hex).</summary>
    public static ulong BlockNumber(string argument, string text)
    {
        var ok = text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? ulong.TryParse(text.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var number)
            : ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out number);
        return ok ? number : throw new GovUsageException($"{argument}: '{text}' is not a block number");
    }

    /// <summary>Formats bytes as <c>0x</c> + lowercase hex.</summary>
    public static string Hex(ReadOnlySpan<byte> bytes) => "0x" + Convert.ToHexStringLower(bytes);
}
