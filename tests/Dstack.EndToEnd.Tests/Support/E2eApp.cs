using System.Security.Cryptography;
using System.Text;
using Dstack.Attestation.OsImage;
using Dstack.Attestation.Simulation;

namespace Dstack.EndToEnd.Tests.Support;

/// <summary>The app the VMs run and the host configuration they get.</summary>
internal static class E2eApp
{
    public const string Compose = """{"manifest_version":2,"name":"e2e-app","runner":"docker-compose","docker_compose_file":"services: {}","kms_enabled":true}""";

    public const string OtherCompose = """{"manifest_version":2,"name":"e2e-app","runner":"docker-compose","docker_compose_file":"services: {evil: {}}","kms_enabled":true}""";

    /// <summary>The OS image every simulated TD here boots (the default simulated bundle, os-image-verification §7).</summary>
    public static readonly string OsImageHash = SimulatedOsImage.Default.OsImageHashHex;

    public const string GatewayAppId = "e2e-gateway";

    /// <summary>The vm_config of those TDs (lite, with the bundle's measurement): what the host hands each VM and KMS.</summary>
    public static readonly string VmConfig = SimulatedBootImage.Default.VmConfig;

    public static byte[] ComposeHashOf(string compose) => SHA256.HashData(Encoding.UTF8.GetBytes(compose));

    /// <summary>The app id of a compose without <c>.instance_info</c>: the first 20 bytes of its hash.</summary>
    public static byte[] AppIdOf(string compose) => ComposeHashOf(compose)[..20];
}
