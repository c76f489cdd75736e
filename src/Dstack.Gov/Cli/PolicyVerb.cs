namespace Dstack.Gov.Cli;

/// <summary>One allow-list verb: which contract it targets and which owner function it calls with one bytes32.</summary>
/// <param name="Name">The verb, e.g. <c>add-compose-hash</c>.</param>
/// <param name="Description">Help text.</param>
/// <param name="OnApp">True for a <c>DstackApp</c> (<c>--app</c>), false for the <c>DstackKms</c> (<c>--kms</c>).</param>
/// <param name="Signature">The contract function, e.g. <c>addComposeHash(bytes32)</c>.</param>
/// <param name="ValueName">The argument's name in help and errors.</param>
/// <param name="AcceptsComposeFile">True if <c>--compose FILE</c> may give the value (its SHA-256).</param>
internal sealed record PolicyVerb(string Name, string Description, bool OnApp, string Signature, string ValueName, bool AcceptsComposeFile = false)
{
    /// <summary>Every allow-list verb.</summary>
    public static IReadOnlyList<PolicyVerb> All { get; } =
    [
        new("add-compose-hash", "Allow an app-compose.json (by its SHA-256) to receive the app's keys", true, "addComposeHash(bytes32)", "compose-hash", true),
        new("remove-compose-hash", "Stop allowing a compose hash: the next boot with it is refused", true, "removeComposeHash(bytes32)", "compose-hash", true),
        new("add-device", "Allow a device (sha256 of its PPID) to run the app", true, "addDevice(bytes32)", "device-id"),
        new("remove-device", "Stop allowing a device (has no effect while allow-any-device is on)", true, "removeDevice(bytes32)", "device-id"),
        new("add-os-image", "Allow an OS image hash for every app and KMS of this DstackKms", false, "addOsImageHash(bytes32)", "os-image-hash"),
        new("remove-os-image", "Stop allowing an OS image hash", false, "removeOsImageHash(bytes32)", "os-image-hash"),
        new("add-kms-mr", "Allow a KMS aggregated measurement to receive the root keys (onboarding)", false, "addKmsAggregatedMr(bytes32)", "mr-aggregated"),
        new("remove-kms-mr", "Stop allowing a KMS aggregated measurement", false, "removeKmsAggregatedMr(bytes32)", "mr-aggregated"),
        new("add-kms-device", "Allow a device to run a KMS instance", false, "addKmsDevice(bytes32)", "device-id"),
        new("remove-kms-device", "Stop allowing a device to run a KMS instance", false, "removeKmsDevice(bytes32)", "device-id"),
    ];

    /// <summary>The contract option, <c>--app</c> or <c>--kms</c>.</summary>
    public string ContractOption => OnApp ? "--app" : "--kms";
}
