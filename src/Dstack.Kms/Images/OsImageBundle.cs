namespace Dstack.Kms.Images;

/// <summary>
/// The two files of a verified OS-image bundle that the lite computation needs: <c>sha256sum.txt</c>, whose SHA-256 is
/// <see cref="OsImageHash"/>, and <c>measurement.tdx.cbor</c>, whose SHA-256 is the one listed for it.
/// </summary>
/// <param name="OsImageHash">The 32-byte image hash the bundle is bound to.</param>
/// <param name="ChecksumFile">The raw bytes of <c>sha256sum.txt</c>.</param>
/// <param name="Measurement">The raw bytes of <c>measurement.tdx.cbor</c>.</param>
/// <param name="Directory">The cache directory holding the bundle's listed files.</param>
internal sealed record OsImageBundle(ReadOnlyMemory<byte> OsImageHash, ReadOnlyMemory<byte> ChecksumFile, ReadOnlyMemory<byte> Measurement, string Directory);
