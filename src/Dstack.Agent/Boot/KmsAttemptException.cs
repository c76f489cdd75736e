namespace Dstack.Agent.Boot;

/// <summary>One attempt at one KMS URL failed at <see cref="Step"/>.</summary>
internal sealed class KmsAttemptException : Exception
{
    /// <summary>Creates the exception.</summary>
    public KmsAttemptException(string url, string step, KmsFailureKind kind, string reason, Exception? innerException = null)
        : base($"KMS {url}: {step}: {reason}", innerException)
    {
        Url = url;
        Step = step;
        Kind = kind;
        Reason = reason;
    }

    /// <summary>Creates the exception with a generic message.</summary>
    public KmsAttemptException()
        : this("", "", KmsFailureKind.Transient, "failed")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public KmsAttemptException(string message)
        : this("", "", KmsFailureKind.Transient, message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public KmsAttemptException(string message, Exception innerException)
        : this("", "", KmsFailureKind.Transient, message, innerException)
    {
    }

    /// <summary>The URL.</summary>
    public string Url { get; }

    /// <summary>The protocol step: <c>GetTempCaCert</c>, <c>check KMS identity</c>, <c>attest</c>, <c>GetAppKey</c>.</summary>
    public string Step { get; }

    /// <summary>What the retry loop does next.</summary>
    public KmsFailureKind Kind { get; }

    /// <summary>Why.</summary>
    public string Reason { get; }
}
