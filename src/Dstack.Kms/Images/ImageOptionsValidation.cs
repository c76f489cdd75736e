namespace Dstack.Kms.Images;

/// <summary>The checks of the <c>Image</c> keys, each error naming its key.</summary>
internal static class ImageOptionsValidation
{
    private static readonly string SampleHash = new('0', 64);

    /// <summary>Adds one message per problem of <paramref name="options"/> to <paramref name="errors"/>.</summary>
    public static void Check(List<string> errors, ImageOptions options)
    {
        ArgumentNullException.ThrowIfNull(errors);
        ArgumentNullException.ThrowIfNull(options);
        var url = options.DownloadUrl;
        if (string.IsNullOrWhiteSpace(url))
        {
            errors.Add($"Image:DownloadUrl is required: an absolute http(s) URL containing {ImageOptions.HashPlaceholder}");
        }
        else
        {
            if (!url.Contains(ImageOptions.HashPlaceholder, StringComparison.Ordinal))
            {
                errors.Add($"Image:DownloadUrl must contain {ImageOptions.HashPlaceholder} (replaced by the lowercase hex os_image_hash), got '{url}'");
            }

            if (!IsHttpUrl(options.UrlFor(SampleHash)))
            {
                errors.Add($"Image:DownloadUrl must be an absolute http(s) URL, got '{url}'");
            }
        }

        if (options.DownloadTimeoutSeconds is < 1 or > 3600)
        {
            errors.Add($"Image:DownloadTimeoutSeconds must be in 1..3600, got {options.DownloadTimeoutSeconds}");
        }
    }

    private static bool IsHttpUrl(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps) && uri.Host.Length > 0;
}
