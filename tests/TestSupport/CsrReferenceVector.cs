namespace Dstack.Tests;

/// <summary>
/// kms.md §1.5 <c>test_csr_v2_scale_encoding_stable</c> (117 bytes): confirm, pubkey <c>010203</c>, subject
/// <c>test.example.com</c>, serverAuth only, no validity, then an empty V0 attestation (no quote, zero report data).
/// </summary>
internal static class CsrReferenceVector
{
    public static readonly string Hex =
        "44" + "706c65617365207369676e20636572743a" + "0c010203" + "00" + "40" + "746573742e6578616d706c652e636f6d" + "00"
        + "01000000" + "0000" + "00" + "00" + "00" + "00" + "00" + new string('0', 128) + "00";
}
