namespace Dstack.Agent.Boot;

/// <summary>How a failed KMS attempt affects the retry loop.</summary>
internal enum KmsFailureKind
{
    /// <summary>The KMS may answer later (unreachable, overloaded, timed out): retry after a delay.</summary>
    Transient,

    /// <summary>This URL is not the KMS this VM may use (other root CA, bad certificate): do not ask it again.</summary>
    WrongKms,

    /// <summary>The KMS decided (permission denied, invalid request) or answered unusable keys: the boot fails now.</summary>
    Refused,
}
