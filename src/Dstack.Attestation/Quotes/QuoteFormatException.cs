namespace Dstack.Attestation.Quotes;

/// <summary>A quote (or a structure nested in it) is malformed or truncated.</summary>
public sealed class QuoteFormatException : FormatException
{
    /// <summary>Creates an exception with a generic message.</summary>
    public QuoteFormatException()
        : this("quote", 0, "malformed quote")
    {
    }

    /// <summary>Creates an exception with the given message.</summary>
    public QuoteFormatException(string message)
        : this("quote", 0, message)
    {
    }

    /// <summary>Creates an exception with the given message and inner exception.</summary>
    public QuoteFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
        Field = "quote";
    }

    /// <summary>Creates an exception that names the field and the byte offset where parsing failed.</summary>
    public QuoteFormatException(string field, int offset, string message)
        : base($"{message} (field '{field}' at offset {offset})")
    {
        Field = field;
        Offset = offset;
    }

    /// <summary>The quote field that could not be read.</summary>
    public string Field { get; }

    /// <summary>Byte offset in the quote where the field starts.</summary>
    public int Offset { get; }
}
