namespace Dstack.Attestation.OsImage;

/// <summary>One resource descriptor of a reconstructed TD HOB (spec os-image-verification §3.4).</summary>
/// <param name="Type">0 for accepted memory, 7 for unaccepted memory.</param>
/// <param name="Start">Physical start address.</param>
/// <param name="Length">Length in bytes.</param>
public sealed record TdHobResource(byte Type, ulong Start, ulong Length)
{
    /// <summary>Resource type of accepted (system) memory.</summary>
    public const byte Accepted = 0;

    /// <summary>Resource type of unaccepted memory.</summary>
    public const byte Unaccepted = 7;
}
