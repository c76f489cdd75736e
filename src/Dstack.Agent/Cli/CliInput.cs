using System.Text;

namespace Dstack.Agent.Cli;

/// <summary>Reads a command's binary input from a file or standard input (<c>-</c>), given either raw or as hex text.</summary>
internal static class CliInput
{
    /// <summary>Largest input accepted (a quote or an attestation is a few KiB; an event log at most a few MiB).</summary>
    public const int MaxInputBytes = 16 * 1024 * 1024;

    /// <summary>Reads all bytes of <paramref name="path"/> (or stdin for <c>-</c>), refusing more than <see cref="MaxInputBytes"/>.</summary>
    public static async Task<byte[]> ReadAllAsync(string path, Stream standardInput, CancellationToken cancellationToken)
    {
        Stream stream = path == "-" ? standardInput : File.OpenRead(path);
        await using (stream.ConfigureAwait(false))
        {
            using var buffer = new MemoryStream();
            var chunk = new byte[81920];
            int read;
            while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + read > MaxInputBytes)
                {
                    throw new InvalidDataException($"{Describe(path)} is larger than {MaxInputBytes} bytes");
                }

                buffer.Write(chunk, 0, read);
            }

            return buffer.ToArray();
        }
    }

    /// <summary>
    /// Decodes hex text (whitespace and an optional <c>0x</c> prefix allowed) when the input is entirely that; otherwise
    /// returns the bytes unchanged (raw binary).
    /// </summary>
    public static byte[] HexOrRaw(byte[] input)
    {
        var text = TrimmedHex(input);
        return text is null ? input : Convert.FromHexString(text);
    }

    /// <summary>A human name for an input path in error messages.</summary>
    public static string Describe(string path) => path == "-" ? "standard input" : $"'{path}'";

    private static string? TrimmedHex(byte[] input)
    {
        var builder = new StringBuilder(input.Length);
        foreach (var b in input)
        {
            var c = (char)b;
            if (char.IsAsciiHexDigit(c))
            {
                builder.Append(c);
            }
            else if (c is not (' ' or '\t' or '\r' or '\n') && !(c is 'x' or 'X' && builder.ToString() == "0"))
            {
                return null;
            }
            else if (c is 'x' or 'X')
            {
                builder.Clear();
            }
        }

        return builder.Length > 0 && builder.Length % 2 == 0 ? builder.ToString() : null;
    }
}
