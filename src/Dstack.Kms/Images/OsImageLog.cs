using Microsoft.Extensions.Logging;

namespace Dstack.Kms.Images;

/// <summary>The OS-image step's part of the decision log (source-generated, event ids 90–99).</summary>
internal static partial class OsImageLog
{
    /// <summary>The caller's registers are those of the image it claims.</summary>
    [LoggerMessage(EventId = 90, Level = LogLevel.Information, Message = "{Method}: OS image {OsImageHash} verified ({Mode}): MRTD and RTMR0-2 are the image's")]
    public static partial void Verified(ILogger logger, string method, string osImageHash, string mode);

    /// <summary>The caller's registers are not those of the image it claims, or the image cannot be checked.</summary>
    [LoggerMessage(EventId = 91, Level = LogLevel.Warning, Message = "{Method}: OS image {OsImageHash} not verified: {Reason}")]
    public static partial void Refused(ILogger logger, string method, string osImageHash, string reason);

    /// <summary>Verification is off: the image is whatever the caller says.</summary>
    [LoggerMessage(EventId = 92, Level = LogLevel.Warning, Message = "{Method}: OS image {OsImageHash} is an unverified claim of the caller (Image:Verify is false)")]
    public static partial void Unverified(ILogger logger, string method, string osImageHash);
}
