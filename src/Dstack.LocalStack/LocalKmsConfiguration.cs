using System.Globalization;
using System.Net;
using Microsoft.Extensions.Configuration;

namespace Dstack.LocalStack;

/// <summary>
/// The configuration of the in-process KMS: embedded defaults (loopback listener for <c>localhost</c>, key store and
/// simulated TD under <c>kms/</c>, the simulated trust root of that TD, the policy file <c>kms/policy.json</c>, not
/// production), then the keys of <c>--kms-config FILE</c> one by one (a file that sets <c>Policy:Kind</c> replaces
/// the whole <c>Policy</c> section, so that an on-chain policy does not inherit the file policy's path), then
/// <c>--kms-port</c>. The KMS validates the result like its own configuration file.
/// </summary>
internal sealed class LocalKmsConfiguration
{
    private LocalKmsConfiguration(Dictionary<string, string?> values, int port)
    {
        Values = values;
        Port = port;
    }

    /// <summary>The merged key/value pairs.</summary>
    public IReadOnlyDictionary<string, string?> Values { get; }

    /// <summary>The TCP port of the listener.</summary>
    public int Port { get; }

    /// <summary>The URL the VM reaches the KMS at (its certificate names <c>localhost</c>).</summary>
    public Uri Url => new("https://localhost:" + Port.ToString(CultureInfo.InvariantCulture));

    /// <summary><c>Policy:Kind</c>.</summary>
    public string PolicyKind => Values.TryGetValue("Policy:Kind", out var kind) ? kind ?? "" : "";

    /// <summary>Builds the configuration; <paramref name="port"/> 0 and no port in the file picks a free loopback port.</summary>
    /// <exception cref="LocalStackException">The file is missing or not JSON, or its listener cannot serve the VM.</exception>
    /// <param name="layout">The stack's directories.</param>
    /// <param name="configFile">The <c>--kms-config</c> file, if any.</param>
    /// <param name="port">The <c>--kms-port</c>.</param>
    /// <param name="imageDownloadUrl">The local image server's URL template (default of <c>Image:DownloadUrl</c>), if any.</param>
    public static LocalKmsConfiguration Build(LocalStackLayout layout, string? configFile, int port, string? imageDownloadUrl = null)
    {
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["Production"] = "false",
            ["Listen:Address"] = "127.0.0.1",
            ["Listen:Domain"] = "localhost",
            ["KeyStore:Directory"] = layout.KmsKeys,
            ["Tdx:Mode"] = "simulated",
            ["Tdx:StateDirectory"] = layout.KmsTd,
            ["TrustRoot:Kind"] = "simulated",
            ["TrustRoot:SimulatedStateDirectory"] = layout.KmsTd,
            ["Policy:Kind"] = "file",
            ["Policy:Path"] = layout.PolicyFile,
        };
        if (imageDownloadUrl is not null)
        {
            values["Image:DownloadUrl"] = imageDownloadUrl;
            values["Image:CacheDirectory"] = layout.KmsImages;
        }

        if (configFile is not null)
        {
            var file = ReadFile(configFile);
            if (file.Keys.Any(k => k.Equals("Policy:Kind", StringComparison.OrdinalIgnoreCase)))
            {
                foreach (var key in values.Keys.Where(k => k.StartsWith("Policy:", StringComparison.OrdinalIgnoreCase)).ToList())
                {
                    values.Remove(key);
                }
            }

            foreach (var (key, value) in file)
            {
                values[key] = value;
            }
        }

        if (port != 0)
        {
            values["Listen:Port"] = port.ToString(CultureInfo.InvariantCulture);
        }
        else if (!values.ContainsKey("Listen:Port"))
        {
            values["Listen:Port"] = FreeLoopbackPort().ToString(CultureInfo.InvariantCulture);
        }

        return new LocalKmsConfiguration(values, CheckListener(values));
    }

    private static Dictionary<string, string?> ReadFile(string path)
    {
        var full = Path.GetFullPath(path);
        if (!File.Exists(full))
        {
            throw new LocalStackException($"--kms-config: {full} does not exist") { ExitCode = 2 };
        }

        try
        {
            var root = new ConfigurationBuilder().AddJsonFile(full, optional: false, reloadOnChange: false).Build();
            return root.AsEnumerable().Where(p => p.Value is not null).ToDictionary(p => p.Key, p => p.Value, StringComparer.OrdinalIgnoreCase);
        }
        catch (Exception ex) when (ex is InvalidDataException or FormatException)
        {
            throw new LocalStackException($"--kms-config: {full} is not a JSON object of dstack-kms configuration keys: {ex.InnerException?.Message ?? ex.Message}", ex) { ExitCode = 2 };
        }
    }

    /// <summary>The VM calls <c>https://localhost:PORT</c>: the listener must be reachable there and its certificate name localhost.</summary>
    private static int CheckListener(Dictionary<string, string?> values)
    {
        var portText = values["Listen:Port"];
        if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            throw new LocalStackException($"the KMS port must be in 1..65535, got '{portText}'") { ExitCode = 2 };
        }

        var domain = values.TryGetValue("Listen:Domain", out var d) ? d : null;
        if (!string.Equals(domain, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            throw new LocalStackException($"--kms-config: Listen:Domain must stay 'localhost' (the VM calls https://localhost:{port}), got '{domain}'") { ExitCode = 2 };
        }

        var address = values.TryGetValue("Listen:Address", out var a) ? a : null;
        if (!IPAddress.TryParse(address, out var ip) || !(IPAddress.IsLoopback(ip) || ip.Equals(IPAddress.Any) || ip.Equals(IPAddress.IPv6Any)))
        {
            throw new LocalStackException($"--kms-config: Listen:Address must be a loopback or wildcard address (the VM calls https://localhost:{port}), got '{address}'") { ExitCode = 2 };
        }

        return port;
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
