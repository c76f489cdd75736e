namespace Dstack.Attestation.Dcap;

/// <summary>The first failed check of <see cref="CollateralEvaluator"/>; the message is dcap-qvl's for that check.</summary>
internal sealed class DcapVerificationException : Exception
{
    public DcapVerificationException()
    {
    }

    public DcapVerificationException(string message)
        : base(message)
    {
    }

    public DcapVerificationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The status when one was formed before the failure (only <c>Revoked</c> at step 10).</summary>
    public string? TcbStatus { get; init; }

    /// <summary>The advisories of <see cref="TcbStatus"/>.</summary>
    public IReadOnlyList<string> AdvisoryIds { get; init; } = [];
}
