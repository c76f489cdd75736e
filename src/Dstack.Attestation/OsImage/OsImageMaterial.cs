using System.Security.Cryptography;

namespace Dstack.Attestation.OsImage;

/// <summary>
/// The lite measurement material of an OS image (spec os-image-verification §1.2–§1.4): the raw
/// <c>sha256sum.txt</c> bytes and the raw <c>measurement.tdx.cbor</c> bytes, from <c>vm_config.tdx_measurement</c>
/// or from a downloaded bundle.
/// </summary>
/// <param name="ChecksumFile">The raw <c>sha256sum.txt</c> bytes.</param>
/// <param name="Measurement">The raw <c>measurement.tdx.cbor</c> bytes.</param>
public sealed record OsImageMaterial(byte[] ChecksumFile, byte[] Measurement)
{
    /// <summary>The file name under which the CBOR document is listed in <c>sha256sum.txt</c>.</summary>
    public const string MeasurementFileName = "measurement.tdx.cbor";

    /// <summary>
    /// Checks the §1.3 binding: <c>S256(ChecksumFile) == osImageHash</c>, then that the <c>measurement.tdx.cbor</c>
    /// entry of the checksum file lists <c>S256(Measurement)</c>.
    /// </summary>
    /// <exception cref="OsImageException">The binding fails; the message is the spec's inner reason of §3.1 step 3.</exception>
    public void Bind(ReadOnlySpan<byte> osImageHash)
    {
        var actual = SHA256.HashData(ChecksumFile);
        if (!actual.AsSpan().SequenceEqual(osImageHash))
        {
            throw new OsImageException(
                $"os_image_hash mismatch: expected sha256(sha256sum.txt)={Convert.ToHexStringLower(osImageHash)}, actual={Convert.ToHexStringLower(actual)}");
        }

        var listed = Sha256SumFile.FindEntry(ChecksumFile, MeasurementFileName);
        var cbor = SHA256.HashData(Measurement);
        if (!cbor.AsSpan().SequenceEqual(listed))
        {
            throw new OsImageException(
                $"measurement.tdx.cbor hash mismatch: sha256sum.txt={Convert.ToHexStringLower(listed)}, actual={Convert.ToHexStringLower(cbor)}");
        }
    }
}
