using System.Net;
using Dstack.Kms.Collateral;
using Dstack.Kms.Images;
using Microsoft.Extensions.Options;

namespace Dstack.Kms.Configuration;

/// <summary>Checks the whole configuration and reports every problem at once.</summary>
internal sealed class KmsOptionsValidator(KmsConfiguration configuration) : IValidateOptions<KmsOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, KmsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        foreach (var key in KmsConfigurationKeys.FindUnknown(configuration.Root))
        {
            errors.Add($"unknown configuration key '{key}'");
        }

        CheckListen(errors, options.Listen);
        if (string.IsNullOrWhiteSpace(options.KeyStore.Directory))
        {
            errors.Add("KeyStore:Directory is required");
        }

        CheckTdx(errors, options.Tdx);
        CheckTrustRoot(errors, options.TrustRoot);
        CheckPolicy(errors, options.Policy, options.TrustRoot);
        if (options.Onboarding.SourceUrl is { Length: > 0 } source && !IsHttpUrl(source))
        {
            errors.Add($"Onboarding:SourceUrl must be an absolute http(s) URL, got '{source}'");
        }

        if (options.Onboarding.VmConfig.Length > 0 && !IsJsonObject(options.Onboarding.VmConfig))
        {
            errors.Add("Onboarding:VmConfig must be a JSON object (a vm_config document), or empty");
        }

        ImageOptionsValidation.Check(errors, options.Image);
        CollateralOptionsValidation.Check(errors, options.Collateral, options.Production);
        if (options.Production)
        {
            if (!options.Image.Verify)
            {
                errors.Add("a production configuration must verify callers' OS images (Image:Verify = false releases keys to any OS that claims an allowed image hash)");
            }

            if (Is(options.TrustRoot.Kind, TrustRootOptions.Simulated))
            {
                errors.Add("a production configuration must not trust the simulated DCAP root (TrustRoot:Kind = simulated)");
            }

            if (Is(options.Policy.Kind, PolicyOptions.Dev))
            {
                errors.Add("a production configuration must not use the dev policy (Policy:Kind = dev allows every caller)");
            }

            if (Is(options.Tdx.Mode, TdxOptions.Simulated))
            {
                errors.Add("a production configuration must not run on a simulated TD (Tdx:Mode = simulated)");
            }

            if (options.Attestation.AllowDebugTds)
            {
                errors.Add("a production configuration must not accept debug TDs (Attestation:AllowDebugTds = true with Production = true)");
            }
        }

        if (options.Attestation.AllowDebugTds && Is(options.TrustRoot.Kind, TrustRootOptions.Intel))
        {
            errors.Add("debug TDs are never accepted under Intel's root (Attestation:AllowDebugTds = true with TrustRoot:Kind = intel)");
        }

        if (options.Policy.SelfAuthorizationIntervalSeconds is < 1 or > 86400)
        {
            errors.Add($"Policy:SelfAuthorizationIntervalSeconds must be in 1..86400, got {options.Policy.SelfAuthorizationIntervalSeconds}");
        }

        if (errors.Count == 0)
        {
            return ValidateOptionsResult.Success;
        }

        var where = configuration.Source is null ? "" : $" in {configuration.Source}";
        return ValidateOptionsResult.Fail(errors.Select(e => e + where));
    }

    private static void CheckListen(List<string> errors, ListenOptions listen)
    {
        if (!IPAddress.TryParse(listen.Address, out _))
        {
            errors.Add($"Listen:Address must be an IP address, got '{listen.Address}'");
        }

        if (listen.Port is < 1 or > 65535)
        {
            errors.Add($"Listen:Port must be in 1..65535, got {listen.Port}");
        }

        if (!IsDomain(listen.Domain))
        {
            errors.Add($"Listen:Domain must be an ASCII DNS name (labels of 1-63 letters, digits or '-', at most 253 bytes), got '{listen.Domain}'");
        }
    }

    private static void CheckTdx(List<string> errors, TdxOptions tdx)
    {
        if (Is(tdx.Mode, TdxOptions.Simulated))
        {
            if (string.IsNullOrWhiteSpace(tdx.StateDirectory))
            {
                errors.Add("Tdx:StateDirectory is required when Tdx:Mode is simulated");
            }
        }
        else if (!Is(tdx.Mode, TdxOptions.Linux))
        {
            errors.Add($"Tdx:Mode must be '{TdxOptions.Linux}' or '{TdxOptions.Simulated}', got '{tdx.Mode}'");
        }
    }

    private static void CheckTrustRoot(List<string> errors, TrustRootOptions trustRoot)
    {
        if (Is(trustRoot.Kind, TrustRootOptions.Simulated))
        {
            if (string.IsNullOrWhiteSpace(trustRoot.SimulatedStateDirectory))
            {
                errors.Add("TrustRoot:SimulatedStateDirectory is required when TrustRoot:Kind is simulated");
            }
        }
        else if (Is(trustRoot.Kind, TrustRootOptions.Intel))
        {
            if (!string.IsNullOrEmpty(trustRoot.SimulatedStateDirectory))
            {
                errors.Add("TrustRoot:SimulatedStateDirectory is only valid when TrustRoot:Kind is simulated");
            }
        }
        else
        {
            errors.Add($"TrustRoot:Kind must be '{TrustRootOptions.Intel}' or '{TrustRootOptions.Simulated}', got '{trustRoot.Kind}'");
        }
    }

    private static void CheckPolicy(List<string> errors, PolicyOptions policy, TrustRootOptions trustRoot)
    {
        if (Is(policy.Kind, PolicyOptions.File))
        {
            if (string.IsNullOrWhiteSpace(policy.Path))
            {
                errors.Add("Policy:Path is required when Policy:Kind is file");
            }
        }
        else if (Is(policy.Kind, PolicyOptions.Webhook))
        {
            if (string.IsNullOrWhiteSpace(policy.WebhookUrl) || !IsHttpUrl(policy.WebhookUrl))
            {
                errors.Add($"Policy:WebhookUrl must be an absolute http(s) URL when Policy:Kind is webhook, got '{policy.WebhookUrl}'");
            }

            if (policy.WebhookTimeoutSeconds is < 1 or > 600)
            {
                errors.Add($"Policy:WebhookTimeoutSeconds must be in 1..600, got {policy.WebhookTimeoutSeconds}");
            }
        }
        else if (Is(policy.Kind, PolicyOptions.OnChain))
        {
            OnChainPolicyOptionsValidation.Check(errors, policy);
        }
        else if (Is(policy.Kind, PolicyOptions.Dev))
        {
            if (!Is(trustRoot.Kind, TrustRootOptions.Simulated))
            {
                errors.Add("Policy:Kind dev is only allowed with the simulated trust root (TrustRoot:Kind = simulated)");
            }
        }
        else
        {
            errors.Add($"Policy:Kind must be '{PolicyOptions.File}', '{PolicyOptions.Webhook}', '{PolicyOptions.OnChain}' or '{PolicyOptions.Dev}', got '{policy.Kind}'");
        }
    }

    /// <summary>kms.md §2.2: a non-empty ASCII DNS name of at most 253 bytes; labels of 1-63 <c>[A-Za-z0-9-]</c>, not starting or ending with '-'.</summary>
    internal static bool IsDomain(string? domain)
    {
        if (string.IsNullOrEmpty(domain) || domain.Length > 253)
        {
            return false;
        }

        foreach (var label in domain.Split('.'))
        {
            if (label.Length is 0 or > 63 || label[0] == '-' || label[^1] == '-'
                || !label.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsJsonObject(string value)
    {
        try
        {
            using var document = System.Text.Json.JsonDocument.Parse(value);
            return document.RootElement.ValueKind == System.Text.Json.JsonValueKind.Object;
        }
        catch (System.Text.Json.JsonException)
        {
            return false;
        }
    }

    private static bool IsHttpUrl(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);

    private static bool Is(string? value, string expected) => string.Equals(value, expected, StringComparison.OrdinalIgnoreCase);
}
