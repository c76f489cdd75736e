namespace Dstack.Kms.Onboarding;

/// <summary>Onboarding from a source KMS failed; <see cref="IsTransient"/> says whether trying again may help.</summary>
internal sealed class OnboardingException : Exception
{
    /// <summary>Creates an exception.</summary>
    public OnboardingException()
        : this("onboarding failed")
    {
    }

    /// <summary>Creates a permanent failure.</summary>
    public OnboardingException(string message)
        : base(message)
    {
    }

    /// <summary>Creates a permanent failure with its cause.</summary>
    public OnboardingException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates a failure that is transient when <paramref name="isTransient"/> is true.</summary>
    public OnboardingException(string message, bool isTransient, Exception? innerException = null)
        : base(message, innerException)
    {
        IsTransient = isTransient;
    }

    /// <summary>True when the source may answer differently later (unreachable, not ready, policy backend down).</summary>
    public bool IsTransient { get; }
}
