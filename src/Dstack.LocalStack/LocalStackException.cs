namespace Dstack.LocalStack;

/// <summary>A problem the user can fix (an argument, a file, the directory); the message is the one line they see.</summary>
internal sealed class LocalStackException : Exception
{
    public LocalStackException()
    {
    }

    public LocalStackException(string message)
        : base(message)
    {
    }

    public LocalStackException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Exit code: 2 for a bad argument or configuration, 1 otherwise.</summary>
    public int ExitCode { get; init; } = 1;
}
