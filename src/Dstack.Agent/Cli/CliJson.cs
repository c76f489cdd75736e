using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Dstack.Agent.Cli;

/// <summary>Indented JSON for people reading a terminal (quotes and apostrophes left as they are).</summary>
internal static class CliJson
{
    private static readonly JsonWriterOptions Options = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Write(Action<Utf8JsonWriter> write)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, Options))
        {
            write(json);
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }
}
