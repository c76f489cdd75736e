using Dstack.Attestation.OsImage;

namespace Dstack.Kms.Images;

/// <summary>
/// A verified OS-image bundle: the two files the lite computation needs, as the <see cref="OsImageMaterial"/> that
/// <see cref="OsImageVerifier.VerifyWithMaterial"/> takes (<c>sha256sum.txt</c>, whose SHA-256 is
/// <see cref="OsImageHash"/>, and <c>measurement.tdx.cbor</c>, whose SHA-256 is the one listed for it).
/// </summary>
/// <param name="OsImageHash">The 32-byte image hash the bundle is bound to.</param>
/// <param name="Material">The raw bytes of <c>sha256sum.txt</c> and <c>measurement.tdx.cbor</c>.</param>
/// <param name="Directory">The cache directory holding the bundle's listed files.</param>
internal sealed record OsImageBundle(ReadOnlyMemory<byte> OsImageHash, OsImageMaterial Material, string Directory);
