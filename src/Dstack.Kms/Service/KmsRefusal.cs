namespace Dstack.Kms.Service;

/// <summary>A refused KMS call: the kind and a reason meant for both the caller and the log (never secret).</summary>
/// <param name="Kind">Coarse category.</param>
/// <param name="Reason">Human-readable reason, e.g. <c>Boot denied: Compose hash not allowed</c>.</param>
internal sealed record KmsRefusal(KmsRefusalKind Kind, string Reason)
{
    /// <inheritdoc />
    public override string ToString() => Reason;
}
