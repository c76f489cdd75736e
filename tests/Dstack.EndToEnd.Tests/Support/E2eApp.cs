using System.Security.Cryptography;
using System.Text;

namespace Dstack.EndToEnd.Tests.Support;

/// <summary>The app the VMs run and the host configuration they get.</summary>
internal static class E2eApp
{
    public const string Compose = """{"manifest_version":2,"name":"e2e-app","runner":"docker-compose","docker_compose_file":"services: {}","kms_enabled":true}""";

    public const string OtherCompose = """{"manifest_version":2,"name":"e2e-app","runner":"docker-compose","docker_compose_file":"services: {evil: {}}","kms_enabled":true}""";

    public const string OsImageHash = "5d2f1a0c7e9b4d6a8c3e1f0b2a4d6c8e0f1a3b5c7d9e1f2a4b6c8d0e2f4a6b8c";

    public const string GatewayAppId = "e2e-gateway";

    public static readonly string VmConfig = "{\"os_image_hash\":\"" + OsImageHash + "\",\"cpu_count\":1,\"memory_size\":2147483648}";

    public static byte[] ComposeHashOf(string compose) => SHA256.HashData(Encoding.UTF8.GetBytes(compose));

    /// <summary>The app id of a compose without <c>.instance_info</c>: the first 20 bytes of its hash.</summary>
    public static byte[] AppIdOf(string compose) => ComposeHashOf(compose)[..20];
}
