namespace Dstack.Kms.Images;

/// <summary>One line of a bundle's <c>sha256sum.txt</c>.</summary>
/// <param name="Name">The bare file name.</param>
/// <param name="Sha256">The 32-byte SHA-256 listed for it.</param>
internal sealed record ImageManifestEntry(string Name, byte[] Sha256);
