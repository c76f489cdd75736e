using Dstack.Kms.Images;

namespace Dstack.Kms.Tests.Images;

public sealed class ImageOptionsValidationTests
{
    [Fact]
    public void Defaults_with_a_cache_directory_are_valid()
    {
        var options = new ImageOptions { CacheDirectory = "/var/lib/dstack-kms/images" };

        Assert.Empty(Check(options));
        Assert.True(options.Verify);
        Assert.Equal("http://localhost:8000/{OS_IMAGE_HASH}.tar.gz", options.DownloadUrl);
        Assert.Equal(120, options.DownloadTimeoutSeconds);
        Assert.Equal("http://localhost:8000/ab01.tar.gz", options.UrlFor("ab01"));
    }

    [Fact]
    public void The_verifier_style_https_url_is_valid()
    {
        var options = new ImageOptions { CacheDirectory = "cache", DownloadUrl = "https://download.dstack.org/os-images/mr_{OS_IMAGE_HASH}.tar.gz", DownloadTimeoutSeconds = 300 };

        Assert.Empty(Check(options));
    }

    [Fact]
    public void The_cache_directory_is_optional_without_it_only_lite_configs_verify()
    {
        Assert.Empty(Check(new ImageOptions()));
        Assert.Empty(Check(new ImageOptions { Verify = false }));
    }

    [Theory]
    [InlineData("http://localhost:8000/image.tar.gz", "Image:DownloadUrl must contain {OS_IMAGE_HASH} (replaced by the lowercase hex os_image_hash), got 'http://localhost:8000/image.tar.gz'")]
    [InlineData("ftp://mirror/{OS_IMAGE_HASH}.tar.gz", "Image:DownloadUrl must be an absolute http(s) URL, got 'ftp://mirror/{OS_IMAGE_HASH}.tar.gz'")]
    [InlineData("file:///srv/{OS_IMAGE_HASH}.tar.gz", "Image:DownloadUrl must be an absolute http(s) URL, got 'file:///srv/{OS_IMAGE_HASH}.tar.gz'")]
    [InlineData("/images/{OS_IMAGE_HASH}.tar.gz", "Image:DownloadUrl must be an absolute http(s) URL, got '/images/{OS_IMAGE_HASH}.tar.gz'")]
    [InlineData("", "Image:DownloadUrl is required: an absolute http(s) URL containing {OS_IMAGE_HASH}")]
    public void Bad_download_urls_are_named(string url, string message)
    {
        Assert.Equal([message], Check(new ImageOptions { CacheDirectory = "c", DownloadUrl = url }));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    [InlineData(3601)]
    public void The_timeout_must_be_in_range(int seconds)
    {
        Assert.Equal([$"Image:DownloadTimeoutSeconds must be in 1..3600, got {seconds}"], Check(new ImageOptions { CacheDirectory = "c", DownloadTimeoutSeconds = seconds }));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3600)]
    public void The_timeout_bounds_are_accepted(int seconds)
    {
        Assert.Empty(Check(new ImageOptions { CacheDirectory = "c", DownloadTimeoutSeconds = seconds }));
    }

    [Fact]
    public void Every_problem_is_reported_at_once()
    {
        var errors = Check(new ImageOptions { DownloadUrl = "ftp://x/", DownloadTimeoutSeconds = 0 });

        Assert.Equal(
            [
                "Image:DownloadUrl must contain {OS_IMAGE_HASH} (replaced by the lowercase hex os_image_hash), got 'ftp://x/'",
                "Image:DownloadUrl must be an absolute http(s) URL, got 'ftp://x/'",
                "Image:DownloadTimeoutSeconds must be in 1..3600, got 0",
            ],
            errors);
    }

    private static List<string> Check(ImageOptions options)
    {
        var errors = new List<string>();
        ImageOptionsValidation.Check(errors, options);
        return errors;
    }
}
