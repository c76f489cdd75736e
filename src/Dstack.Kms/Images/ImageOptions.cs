namespace Dstack.Kms.Images;

/// <summary>
/// The <c>Image</c> configuration section: where the KMS downloads OS-image bundles by <c>os_image_hash</c> and where it
/// caches them (os-image-verification.md §4.1). Checked by <see cref="ImageOptionsValidation.Check"/>.
/// </summary>
internal sealed class ImageOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Image";

    /// <summary>The placeholder in <see cref="DownloadUrl"/> replaced by the lowercase hex of the image hash.</summary>
    public const string HashPlaceholder = "{OS_IMAGE_HASH}";

    /// <summary>The upstream KMS's default download URL.</summary>
    public const string DefaultDownloadUrl = "http://localhost:8000/" + HashPlaceholder + ".tar.gz";

    /// <summary>Whether OS images are verified at all (default true; required in production).</summary>
    public bool Verify { get; set; } = true;

    /// <summary>The bundle URL template: absolute http(s), containing <see cref="HashPlaceholder"/>.</summary>
    public string DownloadUrl { get; set; } = DefaultDownloadUrl;

    /// <summary>
    /// The cache root: bundles live in <c>images/&lt;hex&gt;/</c>, downloads in progress in <c>images/tmp/</c>. Without it
    /// nothing is downloaded: only <c>lite</c> configs (which carry the image's measurement) can be verified.
    /// </summary>
    public string? CacheDirectory { get; set; }

    /// <summary>The time one download may take, headers and body (1..3600, default 120 as upstream's <c>2m</c>).</summary>
    public int DownloadTimeoutSeconds { get; set; } = 120;

    /// <summary>The download URL of the bundle with hash <paramref name="osImageHashHex"/> (lowercase hex).</summary>
    public string UrlFor(string osImageHashHex) => DownloadUrl.Replace(HashPlaceholder, osImageHashHex, StringComparison.Ordinal);
}
