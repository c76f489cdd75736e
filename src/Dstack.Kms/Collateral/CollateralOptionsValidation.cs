namespace Dstack.Kms.Collateral;

/// <summary>The checks of the <c>Collateral</c> keys, each error naming its key.</summary>
internal static class CollateralOptionsValidation
{
    /// <summary>Adds one message per problem of <paramref name="options"/> to <paramref name="errors"/>.</summary>
    public static void Check(List<string> errors, CollateralOptions options, bool production)
    {
        ArgumentNullException.ThrowIfNull(errors);
        ArgumentNullException.ThrowIfNull(options);
        if (options.PccsUrl is { } url && !(Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.Host.Length > 0))
        {
            errors.Add($"Collateral:PccsUrl must be an absolute http(s) URL, got '{url}'");
        }

        if (options.CacheDirectory is { } directory && string.IsNullOrWhiteSpace(directory))
        {
            errors.Add("Collateral:CacheDirectory must be a directory path or unset");
        }

        if (options.FetchTimeoutSeconds is < 1 or > 600)
        {
            errors.Add($"Collateral:FetchTimeoutSeconds must be in 1..600, got {options.FetchTimeoutSeconds}");
        }

        if (options.RefreshCheckSeconds is < 60 or > 86400)
        {
            errors.Add($"Collateral:RefreshCheckSeconds must be in 60..86400, got {options.RefreshCheckSeconds}");
        }

        if (production && options.Required == false)
        {
            errors.Add("a production configuration must require collateral (Collateral:Required = false serves quotes whose TCB status is unknown)");
        }
    }
}
