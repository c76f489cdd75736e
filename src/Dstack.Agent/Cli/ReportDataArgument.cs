namespace Dstack.Agent.Cli;

/// <summary>Parses report data given as hex on the command line: optional <c>0x</c>, at most 64 bytes, right-padded with zeros.</summary>
internal static class ReportDataArgument
{
    public static bool TryParse(string hex, out byte[] reportData, out string problem)
    {
        reportData = new byte[64];
        var text = hex.Trim();
        if (text.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            text = text[2..];
        }

        if (text.Length % 2 != 0)
        {
            problem = "odd number of hex digits";
            return false;
        }

        if (!text.All(char.IsAsciiHexDigit))
        {
            problem = "not hex";
            return false;
        }

        if (text.Length > 128)
        {
            problem = $"{text.Length / 2} bytes given, at most 64 allowed";
            return false;
        }

        Convert.FromHexString(text).CopyTo(reportData, 0);
        problem = "";
        return true;
    }
}
