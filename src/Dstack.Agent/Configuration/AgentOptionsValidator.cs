using System.Globalization;
using Microsoft.Extensions.Options;

namespace Dstack.Agent.Configuration;

/// <summary>Checks the whole configuration and reports every problem at once.</summary>
internal sealed class AgentOptionsValidator(AgentConfiguration configuration) : IValidateOptions<AgentOptions>
{
    /// <summary>Longest path a Unix socket address can hold (<c>sun_path</c> minus the terminator).</summary>
    public const int MaxSocketPathBytes = 107;

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, AgentOptions options)
    {
        var errors = new List<string>();
        foreach (var key in ConfigurationKeys.FindUnknown(configuration.Root))
        {
            errors.Add($"unknown configuration key '{key}'");
        }

        CheckSocketPath(errors, "Sockets:Dstack", options.Sockets.Dstack, required: true);
        CheckSocketPath(errors, "Sockets:Tappd", options.Sockets.Tappd, required: false);
        if (!string.IsNullOrEmpty(options.Sockets.Tappd)
            && string.Equals(Path.GetFullPath(options.Sockets.Dstack), Path.GetFullPath(options.Sockets.Tappd), StringComparison.Ordinal))
        {
            errors.Add("Sockets:Dstack and Sockets:Tappd must be different paths");
        }

        if (!TryParseMode(options.Sockets.Mode, out _))
        {
            errors.Add($"Sockets:Mode must be octal permission bits such as 0660, got '{options.Sockets.Mode}'");
        }

        if (options.Sockets.Group is { } group && group.Trim().Length == 0)
        {
            errors.Add("Sockets:Group must be a group name or id when set");
        }

        var limits = options.Limits;
        if (limits.MaxRequestBodyBytes < 1024)
        {
            errors.Add($"Limits:MaxRequestBodyBytes must be at least 1024, got {limits.MaxRequestBodyBytes}");
        }

        CheckPositive(errors, "Limits:KeepAliveTimeoutSeconds", limits.KeepAliveTimeoutSeconds);
        CheckPositive(errors, "Limits:RequestHeadersTimeoutSeconds", limits.RequestHeadersTimeoutSeconds);
        CheckPositive(errors, "Limits:MinRequestBodyBytesPerSecond", limits.MinRequestBodyBytesPerSecond);
        CheckPositive(errors, "Limits:MinRequestBodyGraceSeconds", limits.MinRequestBodyGraceSeconds);
        if (limits.MaxConnections < 0)
        {
            errors.Add($"Limits:MaxConnections must be 0 (unlimited) or positive, got {limits.MaxConnections}");
        }

        var files = options.Files;
        CheckFilePath(errors, "Files:AppCompose", files.AppCompose);
        CheckFilePath(errors, "Files:SysConfig", files.SysConfig);
        CheckFilePath(errors, "Files:InstanceInfo", files.InstanceInfo);
        CheckFilePath(errors, "Files:AppKeys", files.AppKeys);
        CheckFilePath(errors, "Files:DmiDirectory", files.DmiDirectory);

        CheckFilePath(errors, "Files:EncryptedEnv", files.EncryptedEnv);
        CheckFilePath(errors, "Files:DecryptedEnv", files.DecryptedEnv);
        CheckFilePath(errors, "Files:DecryptedEnvJson", files.DecryptedEnvJson);

        var boot = options.Boot;
        if (boot.KmsRetryTimeoutSeconds < 0)
        {
            errors.Add(string.Create(CultureInfo.InvariantCulture, $"Boot:KmsRetryTimeoutSeconds must be 0 (keep trying) or positive, got {boot.KmsRetryTimeoutSeconds}"));
        }

        CheckPositive(errors, "Boot:KmsRetryInitialDelayMilliseconds", boot.KmsRetryInitialDelayMilliseconds);
        CheckPositive(errors, "Boot:KmsRetryMaxDelaySeconds", boot.KmsRetryMaxDelaySeconds);
        CheckPositive(errors, "Boot:KmsCallTimeoutSeconds", boot.KmsCallTimeoutSeconds);
        CheckPositive(errors, "Boot:KmsConnectTimeoutSeconds", boot.KmsConnectTimeoutSeconds);
        CheckFilePath(errors, "Boot:KernelCommandLine", boot.KernelCommandLine);
        if (boot.Storage.Command is { } command && command.Length > 0 && !Path.IsPathFullyQualified(command))
        {
            errors.Add($"Boot:Storage:Command must be an absolute path, got '{command}'");
        }

        var tdx = options.Tdx;
        switch (tdx.Mode)
        {
            case TdxOptions.LinuxMode:
                CheckFilePath(errors, "Tdx:RuntimeLogDirectory", tdx.RuntimeLogDirectory);
                break;
            case TdxOptions.SimulatedMode:
                CheckFilePath(errors, "Tdx:StateDirectory", tdx.StateDirectory);
                break;
            default:
                errors.Add($"Tdx:Mode must be '{TdxOptions.LinuxMode}' or '{TdxOptions.SimulatedMode}', got '{tdx.Mode}'");
                break;
        }

        if (errors.Count == 0)
        {
            return ValidateOptionsResult.Success;
        }

        var where = configuration.Source is null ? "" : $" in {configuration.Source}";
        return ValidateOptionsResult.Fail(errors.Select(e => e + where));
    }

    /// <summary>Parses octal permission bits (at most 0777).</summary>
    public static bool TryParseMode(string? text, out UnixFileMode mode)
    {
        mode = 0;
        if (string.IsNullOrEmpty(text) || text.Length > 4 || text.Any(c => c is < '0' or > '7'))
        {
            return false;
        }

        mode = (UnixFileMode)Convert.ToInt32(text, 8);
        return true;
    }

    private static void CheckSocketPath(List<string> errors, string key, string? path, bool required)
    {
        if (string.IsNullOrEmpty(path))
        {
            if (required)
            {
                errors.Add($"{key} is required");
            }

            return;
        }

        if (System.Text.Encoding.UTF8.GetByteCount(path) > MaxSocketPathBytes)
        {
            errors.Add($"{key} is longer than the {MaxSocketPathBytes} bytes a Unix socket path can hold: '{path}'");
        }

        if (path.EndsWith('/'))
        {
            errors.Add($"{key} must name a socket file, not a directory: '{path}'");
        }
    }

    private static void CheckFilePath(List<string> errors, string key, string? path)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            errors.Add($"{key} is required");
        }
    }

    private static void CheckPositive(List<string> errors, string key, int value)
    {
        if (value <= 0)
        {
            errors.Add(string.Create(CultureInfo.InvariantCulture, $"{key} must be positive, got {value}"));
        }
    }
}
