using System.Text.Json;
using Dstack.Gov.Cli;

namespace Dstack.Gov.Agent;

/// <summary>Reads the hex fields of the agent's JSON answers (lowercase hex, a leading <c>0x</c> tolerated).</summary>
internal static class AgentJson
{
    /// <summary>The bytes of string field <paramref name="name"/> of <paramref name="root"/>, or null when absent, not a string or empty.</summary>
    /// <exception cref="GovFailureException">The field is not hex.</exception>
    public static byte[]? ReadHex(JsonElement root, string answer, string name)
    {
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.String)
        {
            return null;
        }

        var text = value.GetString()!;
        if (text.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            text = text[2..];
        }

        try
        {
            return text.Length == 0 ? null : Convert.FromHexString(text);
        }
        catch (FormatException)
        {
            throw new GovFailureException($"--agent: {answer}.{name} is not hex");
        }
    }
}
