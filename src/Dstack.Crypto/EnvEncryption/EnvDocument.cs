using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Dstack.Crypto.EnvEncryption;

/// <summary>
/// The decrypted env document <c>{"env":[{"key":…,"value":…}]}</c>, the <c>allowed_envs</c> filter and its limits,
/// and the <c>.decrypted-env</c> / <c>.decrypted-env.json</c> renderings (tdx-boot §4.7).
/// </summary>
public static partial class EnvDocument
{
    /// <summary>Maximum number of items in a document.</summary>
    public const int MaxItems = 1024;

    /// <summary>Maximum key length in bytes.</summary>
    public const int MaxKeyLength = 255;

    /// <summary>Maximum value length in bytes.</summary>
    public const int MaxValueLength = 128 * 1024;

    /// <summary>Maximum total of key and value lengths over kept entries.</summary>
    public const int MaxTotalLength = 1024 * 1024;

    private static readonly SearchValues<char> NeedsQuoting = SearchValues.Create(" \t|&;<>()$`\\\"'\n");

    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Parses the plaintext JSON.</summary>
    /// <param name="json">UTF-8 JSON.</param>
    /// <returns>The entries in document order.</returns>
    /// <exception cref="EnvEncryptionException">Not a valid document, or more than 1024 items.</exception>
    public static IReadOnlyList<EnvVariable> Parse(ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new Utf8JsonReader(json);
            using var document = JsonDocument.ParseValue(ref reader);
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("env", out var env)
                || env.ValueKind != JsonValueKind.Array)
            {
                throw Invalid();
            }

            if (env.GetArrayLength() > MaxItems)
            {
                throw new EnvEncryptionException(EnvEncryptionError.TooManyItems, $"Too many env items (max {MaxItems})");
            }

            var result = new List<EnvVariable>(env.GetArrayLength());
            foreach (var item in env.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.Object
                    || !item.TryGetProperty("key", out var key) || key.ValueKind != JsonValueKind.String
                    || !item.TryGetProperty("value", out var value) || value.ValueKind != JsonValueKind.String)
                {
                    throw Invalid();
                }

                result.Add(new EnvVariable(key.GetString()!, value.GetString()!));
            }

            return result;
        }
        catch (JsonException ex)
        {
            throw new EnvEncryptionException(EnvEncryptionError.InvalidJson, "Encrypted env is not valid JSON", ex);
        }
    }

    /// <summary>Serialises entries as <c>{"env":[{"key":…,"value":…}]}</c>.</summary>
    /// <param name="variables">Entries.</param>
    /// <returns>UTF-8 JSON.</returns>
    public static byte[] Serialize(IEnumerable<EnvVariable> variables)
    {
        ArgumentNullException.ThrowIfNull(variables);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("env");
            foreach (var variable in variables)
            {
                writer.WriteStartObject();
                writer.WriteString("key", variable.Key);
                writer.WriteString("value", variable.Value);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>
    /// Keeps the entries whose key is in <paramref name="allowedEnvs"/> (others are skipped silently), validates
    /// them, and returns them sorted by key (ordinal); for duplicate keys the last wins.
    /// </summary>
    /// <param name="variables">Parsed entries.</param>
    /// <param name="allowedEnvs">The app compose's <c>allowed_envs</c>.</param>
    /// <param name="skipped">Keys that were dropped (for a warning; names only).</param>
    /// <returns>Sorted key/value map.</returns>
    /// <exception cref="EnvEncryptionException">A kept entry breaks a rule.</exception>
    public static SortedDictionary<string, string> Filter(IReadOnlyList<EnvVariable> variables, IEnumerable<string> allowedEnvs, out IReadOnlyList<string> skipped)
    {
        ArgumentNullException.ThrowIfNull(variables);
        ArgumentNullException.ThrowIfNull(allowedEnvs);
        if (variables.Count > MaxItems)
        {
            throw new EnvEncryptionException(EnvEncryptionError.TooManyItems, $"Too many env items (max {MaxItems})");
        }

        var allowed = new HashSet<string>(allowedEnvs, StringComparer.Ordinal);
        var dropped = new List<string>();
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        long total = 0;
        foreach (var (key, value) in variables)
        {
            if (!allowed.Contains(key))
            {
                dropped.Add(key);
                continue;
            }

            var keyLength = System.Text.Encoding.UTF8.GetByteCount(key);
            if (keyLength > MaxKeyLength || !NamePattern().IsMatch(key))
            {
                throw new EnvEncryptionException(EnvEncryptionError.InvalidName, $"Invalid env name ({keyLength} bytes)");
            }

            var valueLength = System.Text.Encoding.UTF8.GetByteCount(value);
            if (valueLength > MaxValueLength)
            {
                throw new EnvEncryptionException(EnvEncryptionError.ValueTooLong, $"Env value of {key} is too long");
            }

            total += keyLength + valueLength;
            if (total > MaxTotalLength)
            {
                throw new EnvEncryptionException(EnvEncryptionError.TooLarge, "Env is too large");
            }

            result[key] = value;
        }

        skipped = dropped;
        return result;
    }

    /// <summary>Renders <c>.decrypted-env</c>: one <c>KEY=VALUE\n</c> line per entry, quoting values that need it.</summary>
    /// <param name="variables">Sorted entries.</param>
    /// <returns>The file text.</returns>
    public static string ToDotEnv(IEnumerable<KeyValuePair<string, string>> variables)
    {
        ArgumentNullException.ThrowIfNull(variables);
        var text = new StringBuilder();
        foreach (var (key, value) in variables)
        {
            text.Append(key).Append('=');
            if (value.AsSpan().IndexOfAny(NeedsQuoting) < 0)
            {
                text.Append(value);
            }
            else
            {
                text.Append('"');
                foreach (var c in value)
                {
                    _ = c switch
                    {
                        '\n' => text.Append("\\n"),
                        '"' => text.Append("\\\""),
                        '$' => text.Append("\\$"),
                        '`' => text.Append("\\`"),
                        _ => text.Append(c),
                    };
                }

                text.Append('"');
            }

            text.Append('\n');
        }

        return text.ToString();
    }

    /// <summary>Renders <c>.decrypted-env.json</c>: a JSON object of the entries in the given order.</summary>
    /// <param name="variables">Sorted entries.</param>
    /// <returns>UTF-8 JSON.</returns>
    public static byte[] ToJsonObject(IEnumerable<KeyValuePair<string, string>> variables)
    {
        ArgumentNullException.ThrowIfNull(variables);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            foreach (var (key, value) in variables)
            {
                writer.WriteString(key, value);
            }

            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static EnvEncryptionException Invalid() =>
        new(EnvEncryptionError.InvalidJson, "Encrypted env must be {\"env\":[{\"key\":…,\"value\":…}]}");

    [GeneratedRegex("^[a-zA-Z_][a-zA-Z0-9_]*$", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();
}
