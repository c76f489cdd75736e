using System.Text.Json;
using System.Text.Json.Nodes;

namespace Dstack.Rpc.Tests.Support;

/// <summary>Runs the grpc-js interop scripts: a server that prints its port, a client that prints its results.</summary>
internal static class GrpcJs
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Starts server.js; the caller disposes the process.</summary>
    public static async Task<(NodeProcess Process, int Port)> StartServerAsync(JsonObject? tls = null, int? maxReceive = null)
    {
        var config = new JsonObject { ["proto"] = NodeProcess.ProtoPath };
        if (tls is not null)
        {
            config["tls"] = tls;
        }

        if (maxReceive is { } limit)
        {
            config["maxReceive"] = limit;
        }

        var process = NodeProcess.Start("server.js", config.ToJsonString());
        try
        {
            var line = await process.ReadLineAsync(StartTimeout);
            using var json = JsonDocument.Parse(line);
            return (process, json.RootElement.GetProperty("port").GetInt32());
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }

    /// <summary>Runs client.js against <paramref name="address"/> and returns one result per call.</summary>
    public static async Task<JsonElement[]> RunClientAsync(string address, JsonArray calls, JsonObject? tls = null)
    {
        var config = new JsonObject { ["proto"] = NodeProcess.ProtoPath, ["address"] = address, ["calls"] = calls };
        if (tls is not null)
        {
            config["tls"] = tls;
        }

        await using var process = NodeProcess.Start("client.js", config.ToJsonString());
        var line = await process.ReadLineAsync(StartTimeout);
        using var json = JsonDocument.Parse(line);
        return json.RootElement.EnumerateArray().Select(e => e.Clone()).ToArray();
    }

    public static JsonObject Call(string method, JsonObject? request = null, int? deadlineMs = null, string service = "KMS", JsonObject? metadata = null)
    {
        var call = new JsonObject { ["service"] = service, ["method"] = method, ["request"] = request ?? [] };
        if (deadlineMs is { } ms)
        {
            call["deadlineMs"] = ms;
        }

        if (metadata is not null)
        {
            call["metadata"] = metadata;
        }

        return call;
    }

    /// <summary>TLS settings for client.js: trust the test CA, optionally present the client certificate.</summary>
    public static JsonObject ClientTls(TestCertificates certificates, bool presentClientCertificate) => presentClientCertificate
        ? new JsonObject { ["rootCert"] = certificates.CaPem, ["serverName"] = "localhost", ["key"] = certificates.ClientKeyPem, ["cert"] = certificates.ClientPem }
        : new JsonObject { ["rootCert"] = certificates.CaPem, ["serverName"] = "localhost" };

    /// <summary>TLS settings for server.js: the server certificate, optionally requiring a client certificate from the test CA.</summary>
    public static JsonObject ServerTls(TestCertificates certificates, bool requireClientCertificate) => new()
    {
        ["rootCert"] = certificates.CaPem,
        ["key"] = certificates.ServerKeyPem,
        ["cert"] = certificates.ServerPem,
        ["requireClientCert"] = requireClientCertificate,
    };

    public static int Code(this JsonElement result) => result.GetProperty("code").GetInt32();

    public static string Details(this JsonElement result) => result.GetProperty("details").GetString() ?? string.Empty;

    public static JsonElement Response(this JsonElement result) => result.GetProperty("response");

    public static string Field(this JsonElement result, string name) => result.Response().GetProperty(name).ToString();
}
