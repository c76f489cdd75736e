namespace Dstack.Attestation.Tests.OsImage;

/// <summary>Hex helpers for the spec's full and abbreviated (<c>abcd…1234</c>) values.</summary>
internal static class Hex
{
    public static string Of(byte[] value) => Convert.ToHexStringLower(value);

    public static byte[] Bytes(string hex) => Convert.FromHexString(hex);

    /// <summary>Asserts that <paramref name="actual"/> starts and ends as <paramref name="abbreviated"/> (<c>prefix…suffix</c>) shows.</summary>
    public static void AssertAbbreviated(string abbreviated, byte[] actual)
    {
        var parts = abbreviated.Split('…');
        Assert.Equal(2, parts.Length);
        var hex = Of(actual);
        Assert.StartsWith(parts[0], hex, StringComparison.Ordinal);
        Assert.EndsWith(parts[1], hex, StringComparison.Ordinal);
    }
}
