namespace Dstack.Attestation.Formats;

/// <summary>
/// The name of a SCALE field for error messages, such as <c>event_log[3].digest</c>. It is formatted only when an
/// error is reported, so reading a list of many items allocates no names.
/// </summary>
/// <param name="Name">The field, or the list that holds it.</param>
/// <param name="Index">The item of the list (−1 for a plain field).</param>
/// <param name="Member">The member of that item, if any.</param>
internal readonly record struct ScaleField(string Name, int Index = -1, string? Member = null)
{
    /// <summary>A plain field.</summary>
    public static implicit operator ScaleField(string name) => new(name);

    /// <inheritdoc/>
    public override string ToString() => (Index, Member) switch
    {
        (< 0, _) => Name,
        (_, null) => $"{Name}[{Index}]",
        _ => $"{Name}[{Index}].{Member}",
    };
}
