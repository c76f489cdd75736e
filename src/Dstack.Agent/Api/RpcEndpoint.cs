using System.Runtime.CompilerServices;
using System.Text;
using Dstack.Agent.Configuration;
using Dstack.Agent.Hosting;
using Dstack.Agent.Methods;
using Dstack.Agent.Rpc;
using Dstack.Agent.Transport;
using Google.Protobuf;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Dstack.Agent.Api;

/// <summary>
/// The whole HTTP side of the API as one terminal handler: routing (§1.4), choice of JSON or protobuf (§1.5),
/// decoding, dispatch, encoding (§1.6) and errors (§1.7). Every response is written from a finished byte array with
/// an explicit <c>Content-Length</c> (the JS SDK cannot read chunked responses). The answers of a method that
/// <see cref="IRpcMethod.RepeatsAnswers"/> (Version, Info) are encoded once per instance and form; the encodings live as
/// long as the instance.
/// </summary>
internal sealed class RpcEndpoint(RpcMethodTable methods, IOptions<AgentOptions> options, ILogger<RpcEndpoint> logger)
{
    private const string JsonContentType = "application/json";
    private const string ProtobufContentType = "application/octet-stream";
    private static readonly byte[] NullBody = "null"u8.ToArray();
    private readonly ConditionalWeakTable<IMessage, byte[]> _jsonEncodings = [];
    private readonly ConditionalWeakTable<IMessage, byte[]> _protobufEncodings = [];

    /// <summary>Handles one request.</summary>
    public async Task HandleAsync(HttpContext context)
    {
        var connection = context.Features.Get<IAgentConnectionFeature>() ?? new AgentConnectionFeature(ListenerKind.Dstack, null, null);
        var request = context.Request;
        var path = request.Path.Value ?? "";
        var peer = new PeerText(connection);
        context.Response.Headers.Server = "dstack guest agent";

        if (connection.RefusalReason is { } refusal)
        {
            AgentLog.RequestRefused(logger, connection.Listener, request.Method, path, $"{refusal} ({peer.Text})");
            context.Response.Headers.Connection = "close";
            await WriteAsync(context, StatusCodes.Status400BadRequest, JsonContentType, JsonText.ErrorBody(refusal)).ConfigureAwait(false);
            return;
        }

        var isGet = HttpMethods.IsGet(request.Method);
        var route = isGet || HttpMethods.IsPost(request.Method) ? RpcRoute.Resolve(connection.Listener, path) : null;
        if (route is not { } target)
        {
            if (logger.IsEnabled(LogLevel.Debug))
            {
                AgentLog.RequestServed(logger, connection.Listener, request.Method, path, peer.Text, StatusCodes.Status404NotFound);
            }

            await WriteAsync(context, StatusCodes.Status404NotFound, JsonContentType, JsonText.ErrorBody($"Not found: {request.Method} {path}"))
                .ConfigureAwait(false);
            return;
        }

        var query = request.QueryString.HasValue ? request.QueryString.Value![1..] : "";
        var jsonRequested = isGet || HasJsonFlag(query);

        byte[] input;
        try
        {
            input = isGet ? Encoding.UTF8.GetBytes(query) : await ReadBodyAsync(request, context.RequestAborted).ConfigureAwait(false);
        }
        catch (RpcException ex)
        {
            // Before dispatch dstack decides the error encoding from GET/?json only, not from Content-Type.
            context.Response.Headers.Connection = "close";
            await FailAsync(context, connection, peer, jsonRequested, ex.Message).ConfigureAwait(false);
            return;
        }

        var json = jsonRequested || IsJsonContentType(request.ContentType);
        byte[] body;
        try
        {
            var method = methods.Find(target.Service, target.Method) ?? throw new RpcException($"Service not found: {target.Method}");
            var message = Decode(method, input, json, isGet ? query : null, context);
            var response = await method.InvokeAsync(message, context.RequestAborted).ConfigureAwait(false);
            body = response is null ? json ? NullBody : []
                : !method.RepeatsAnswers ? json ? ProtoJsonWriter.Write(response) : response.ToByteArray()
                : json ? _jsonEncodings.GetValue(response, ProtoJsonWriter.Write)
                : _protobufEncodings.GetValue(response, m => m.ToByteArray());
        }
        catch (Exception ex) when (ex is RpcException or Dstack.Crypto.DstackCryptoException)
        {
            await FailAsync(context, connection, peer, json, ex.Message).ConfigureAwait(false);
            return;
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            return;
        }
#pragma warning disable CA1031 // dstack answers every handler failure with 400 and the error chain; never a 500
        catch (Exception ex)
#pragma warning restore CA1031
        {
            AgentLog.MethodThrew(logger, connection.Listener, target.Method, ex);
            await FailAsync(context, connection, peer, json, ErrorChain(ex)).ConfigureAwait(false);
            return;
        }

        if (logger.IsEnabled(LogLevel.Debug))
        {
            AgentLog.RequestServed(logger, connection.Listener, request.Method, path, peer.Text, StatusCodes.Status200OK);
        }

        await WriteAsync(context, StatusCodes.Status200OK, json ? JsonContentType : ProtobufContentType, body).ConfigureAwait(false);
    }

    private static IMessage Decode(IRpcMethod method, byte[] input, bool json, string? getQuery, HttpContext context)
    {
        var message = method.CreateRequest();
        if (method.IgnoresInput || input.Length == 0)
        {
            return message;
        }

        try
        {
            if (getQuery is not null)
            {
                QueryStringReader.Merge(message, getQuery);
            }
            else if (json)
            {
                ProtoJsonReader.Merge(message, input);
            }
            else
            {
                message.MergeFrom(input);
            }
        }
        catch (Exception ex) when (ex is RpcException or InvalidProtocolBufferException)
        {
            // A body that does not parse may be one whose Content-Length was wrong (the JS SDK counts UTF-16 units,
            // not bytes): close the connection so the rest of it is never read as another request.
            context.Response.Headers.Connection = "close";
            throw ex as RpcException ?? new RpcException($"failed to decode {message.Descriptor.Name} from protobuf: {ex.Message}", ex);
        }

        return message;
    }

    private async Task<byte[]> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var limit = options.Value.Limits.MaxRequestBodyBytes;
        if (request.ContentLength > limit)
        {
            throw new RpcException("payload too large");
        }

        try
        {
            using var buffer = new MemoryStream(request.ContentLength is { } length ? (int)length : 1024);
            var chunk = new byte[16 * 1024];
            int read;
            while ((read = await request.Body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + read > limit)
                {
                    throw new RpcException("payload too large");
                }

                buffer.Write(chunk, 0, read);
            }

            return buffer.ToArray();
        }
        catch (BadHttpRequestException ex)
        {
            throw new RpcException(ex.StatusCode == StatusCodes.Status413PayloadTooLarge ? "payload too large" : ex.Message, ex);
        }
    }

    private async Task FailAsync(HttpContext context, IAgentConnectionFeature connection, PeerText peer, bool json, string message)
    {
        AgentLog.RequestFailed(logger, connection.Listener, context.Request.Method, context.Request.Path.Value ?? "", peer.Text, message);
        var body = json ? JsonText.ErrorBody(message) : new RpcError { Message = message }.ToByteArray();
        await WriteAsync(context, StatusCodes.Status400BadRequest, json ? JsonContentType : ProtobufContentType, body).ConfigureAwait(false);
    }

    private static async Task WriteAsync(HttpContext context, int status, string contentType, byte[] body)
    {
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = contentType;
        response.ContentLength = body.Length;
        await response.Body.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary><c>?json</c>, <c>?json=</c>, <c>?json=true</c>, <c>?json=1</c>.</summary>
    private static bool HasJsonFlag(string query)
    {
        foreach (var part in query.Split('&'))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            var key = equals < 0 ? part : part[..equals];
            var value = equals < 0 ? "" : part[(equals + 1)..];
            if (key == "json" && value is "" or "true" or "1")
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsJsonContentType(string? contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var media)
        && media.MediaType.Equals(JsonContentType, StringComparison.OrdinalIgnoreCase);

    /// <summary>The caller as log text, formatted only when a line is written.</summary>
    private readonly struct PeerText(IAgentConnectionFeature connection)
    {
        public string Text => connection.Peer?.ToString() ?? "unknown peer";
    }

    /// <summary>The messages of an exception and its causes joined with ": " (anyhow's alternate format).</summary>
    private static string ErrorChain(Exception exception)
    {
        var parts = new List<string>();
        for (var e = exception; e is not null; e = e.InnerException)
        {
            parts.Add(e.Message);
        }

        return string.Join(": ", parts);
    }
}
