using System.Globalization;
using System.IO.Pipelines;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Dstack.Rpc.Protocol;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Dstack.Rpc.Client;

/// <summary>
/// A unary gRPC client over <see cref="HttpClient"/> (HTTP/2 only): one request message, one response message, the
/// status from the trailers or from a Trailers-Only response. Thread-safe; keep one per server and reuse it.
/// </summary>
public sealed class UnaryClient : IUnaryInvoker, IDisposable
{
    // CancellationTokenSource timers accept at most this much; longer deadlines are as good as none.
    private static readonly TimeSpan LongestTimer = TimeSpan.FromMilliseconds(uint.MaxValue - 1);
    private static readonly MediaTypeHeaderValue GrpcContentType = new(GrpcHeaders.ContentType);
    private static readonly ProductInfoHeaderValue UserAgent = new("dstack-rpc", "1.0");

    private readonly HttpClient _http;
    private readonly string _baseAddress;
    private readonly UnaryClientOptions _options;
    private readonly ILogger _logger;

    /// <summary>Creates a client for the server at <see cref="UnaryClientOptions.Address"/>.</summary>
    /// <param name="options">Address, TLS and limits.</param>
    public UnaryClient(UnaryClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(options.Address);
        ArgumentNullException.ThrowIfNull(options.TimeProvider);
        if (!options.Address.IsAbsoluteUri || (options.Address.Scheme != Uri.UriSchemeHttp && options.Address.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException("The address must be an absolute http:// or https:// URI.", nameof(options));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(options.MaxReceiveMessageSize);
        ArgumentOutOfRangeException.ThrowIfNegative(options.MaxSendMessageSize);

        _options = options;
        _baseAddress = options.Address.GetLeftPart(UriPartial.Path).TrimEnd('/');
        _logger = options.LoggerFactory?.CreateLogger("Dstack.Rpc.Client") ?? NullLogger.Instance;
        _http = options.HttpHandler is { } handler
            ? new HttpClient(handler, disposeHandler: false)
            : new HttpClient(CreateHandler(options), disposeHandler: true);
        _http.Timeout = Timeout.InfiniteTimeSpan;
    }

    /// <inheritdoc />
    public async Task<TResponse> CallAsync<TRequest, TResponse>(
        string service,
        string method,
        TRequest request,
        DateTimeOffset? deadline = null,
        CancellationToken cancellationToken = default)
        where TRequest : IMessage<TRequest>, new()
        where TResponse : IMessage<TResponse>, new()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(service);
        ArgumentException.ThrowIfNullOrWhiteSpace(method);
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();

        var path = "/" + service + "/" + method;
        try
        {
            return await CallCoreAsync<TRequest, TResponse>(path, request, deadline, cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException e)
        {
            ClientLog.CallFailed(_logger, path, e.StatusCode, e.Detail);
            throw;
        }
    }

    /// <inheritdoc />
    public void Dispose() => _http.Dispose();

    private async Task<TResponse> CallCoreAsync<TRequest, TResponse>(
        string path,
        TRequest request,
        DateTimeOffset? deadline,
        CancellationToken cancellationToken)
        where TRequest : IMessage<TRequest>, new()
        where TResponse : IMessage<TResponse>, new()
    {
        TimeSpan? timeout = null;
        if (deadline is { } due)
        {
            timeout = due - _options.TimeProvider.GetUtcNow();
            if (timeout <= TimeSpan.Zero)
            {
                throw new RpcException(StatusCode.DeadlineExceeded, "Deadline exceeded before the call started");
            }
        }

        var frame = GrpcFraming.Frame(request, _options.MaxSendMessageSize);

        using var deadlineSource = timeout is { } armed && armed < LongestTimer
            ? new CancellationTokenSource(armed, _options.TimeProvider)
            : new CancellationTokenSource();
        using var callSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadlineSource.Token);

        using var message = new HttpRequestMessage(HttpMethod.Post, _baseAddress + path)
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(frame),
        };
        message.Content.Headers.ContentType = GrpcContentType;
        message.Headers.TE.Add(new TransferCodingWithQualityHeaderValue("trailers"));
        message.Headers.UserAgent.Add(UserAgent);
        message.Headers.TryAddWithoutValidation(GrpcHeaders.AcceptEncoding, GrpcHeaders.IdentityEncoding);
        if (timeout is { } sent)
        {
            message.Headers.TryAddWithoutValidation(GrpcHeaders.Timeout, GrpcTimeout.Format(sent));
        }

        try
        {
            using var response = await _http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, callSource.Token)
                .ConfigureAwait(false);
            return await ReadResponseAsync<TResponse>(response, callSource.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException("The gRPC call " + path + " was cancelled.", e, cancellationToken);
        }
        catch (OperationCanceledException e) when (deadlineSource.IsCancellationRequested)
        {
            throw new RpcException(StatusCode.DeadlineExceeded, "Deadline exceeded", e);
        }
        catch (OperationCanceledException e)
        {
            // neither the caller nor the deadline: the handler's ConnectTimeout (TCP connect and TLS handshake) expired
            throw new RpcException(StatusCode.Unavailable, $"Error connecting to the server: no connection within {_options.ConnectTimeout.TotalSeconds:0.###} s", e);
        }
        catch (HttpRequestException e)
        {
            if (FindProtocolError(e) is { } reset)
            {
                throw FromReset(reset);
            }

            throw new RpcException(StatusCode.Unavailable, "Error connecting to the server: " + e.Message, e);
        }
        catch (HttpProtocolException e)
        {
            throw FromReset(e);
        }
        catch (IOException e)
        {
            throw new RpcException(StatusCode.Unavailable, "Error reading the response: " + e.Message, e);
        }
    }

    private async Task<TResponse> ReadResponseAsync<TResponse>(HttpResponseMessage response, CancellationToken cancellationToken)
        where TResponse : IMessage<TResponse>, new()
    {
        if (response.StatusCode != HttpStatusCode.OK)
        {
            var code = GrpcStatusParser.FromHttpStatus(response.StatusCode);
            var detail = string.Create(CultureInfo.InvariantCulture, $"Bad gRPC response: HTTP status {(int)response.StatusCode}");
            if (TryReadStatus(response.Headers, out _, out var serverDetail) && serverDetail.Length > 0)
            {
                detail += ": " + serverDetail;
            }

            throw new RpcException(code, detail);
        }

        // Trailers-Only: the whole answer is one HEADERS frame carrying the status.
        if (TryReadStatus(response.Headers, out var headerStatus, out var headerDetail))
        {
            throw headerStatus == StatusCode.Ok
                ? new RpcException(StatusCode.Internal, "The server answered OK without a response message")
                : new RpcException(headerStatus, headerDetail);
        }

        if (!GrpcHeaders.IsGrpcProtoContentType(response.Content.Headers.ContentType?.ToString()))
        {
            throw new RpcException(
                StatusCode.Internal,
                "Bad gRPC response: content-type " + (response.Content.Headers.ContentType?.ToString() ?? "(none)"));
        }

        if (response.Headers.TryGetValues(GrpcHeaders.Encoding, out var encodings) && !GrpcHeaders.IsIdentityOrAbsent(string.Join(',', encodings)))
        {
            throw new RpcException(StatusCode.Internal, "The server used an unsupported message encoding: " + string.Join(',', encodings));
        }

        var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (body.ConfigureAwait(false))
        {
            var reader = PipeReader.Create(body, new StreamPipeReaderOptions(leaveOpen: true));
            byte[]? payload;
            try
            {
                payload = await GrpcFraming.ReadSingleMessageAsync(reader, _options.MaxReceiveMessageSize, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                await reader.CompleteAsync().ConfigureAwait(false);
            }

            if (!TryReadStatus(response.TrailingHeaders, out var status, out var detail))
            {
                throw new RpcException(StatusCode.Internal, "The response ended without a grpc-status");
            }

            if (status != StatusCode.Ok)
            {
                throw new RpcException(status, detail);
            }

            if (payload is null)
            {
                throw new RpcException(StatusCode.Internal, "The server answered OK without a response message");
            }

            try
            {
                var parsed = new TResponse();
                parsed.MergeFrom(payload);
                return parsed;
            }
            catch (InvalidProtocolBufferException e)
            {
                throw new RpcException(StatusCode.Internal, "The response message could not be parsed: " + e.Message, e);
            }
        }
    }

    private static bool TryReadStatus(HttpHeaders headers, out StatusCode status, out string detail)
    {
        status = StatusCode.Unknown;
        detail = string.Empty;
        if (!headers.TryGetValues(GrpcHeaders.Status, out var statusValues))
        {
            return false;
        }

        status = GrpcStatusParser.ParseStatus(statusValues.FirstOrDefault());
        if (headers.TryGetValues(GrpcHeaders.Message, out var messageValues))
        {
            detail = StatusMessageEncoding.Decode(messageValues.FirstOrDefault());
        }

        return true;
    }

    private static HttpProtocolException? FindProtocolError(Exception exception)
    {
        for (var inner = exception; inner is not null; inner = inner.InnerException)
        {
            if (inner is HttpProtocolException protocolError)
            {
                return protocolError;
            }
        }

        return null;
    }

    // The status for a stream the server reset (RST_STREAM error codes, as the gRPC protocol maps them).
    private static RpcException FromReset(HttpProtocolException e)
    {
        var code = e.ErrorCode switch
        {
            0x7 => StatusCode.Unavailable,        // REFUSED_STREAM
            0x8 => StatusCode.Cancelled,          // CANCEL
            0xB => StatusCode.ResourceExhausted,  // ENHANCE_YOUR_CALM
            0xC => StatusCode.PermissionDenied,   // INADEQUATE_SECURITY
            _ => StatusCode.Internal,
        };
        return new RpcException(code, "HTTP/2 stream error: " + e.Message, e);
    }

    private static SocketsHttpHandler CreateHandler(UnaryClientOptions options)
    {
        var ssl = new SslClientAuthenticationOptions
        {
            ApplicationProtocols = [SslApplicationProtocol.Http2],
            EnabledSslProtocols = System.Security.Authentication.SslProtocols.Tls12 | System.Security.Authentication.SslProtocols.Tls13,
        };

        if (options.ClientCertificate is { } clientCertificate)
        {
            if (!clientCertificate.HasPrivateKey)
            {
                throw new ArgumentException("The client certificate must carry its private key.", nameof(options));
            }

            // Offer this certificate whatever issuers the server lists: RA-TLS certificates chain to no public CA.
            ssl.ClientCertificates = [clientCertificate];
            ssl.LocalCertificateSelectionCallback = (_, _, _, _, _) => clientCertificate;
        }

        if (options.ServerCertificateValidation is { } validate)
        {
            ssl.RemoteCertificateValidationCallback = (_, certificate, chain, errors) => certificate switch
            {
                X509Certificate2 certificate2 => validate(certificate2, chain, errors),
                null => false,
                _ => ValidateCopy(validate, certificate, chain, errors),
            };
        }

        return new SocketsHttpHandler
        {
            ConnectTimeout = options.ConnectTimeout,
            EnableMultipleHttp2Connections = true,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(2),
            KeepAlivePingDelay = TimeSpan.FromSeconds(60),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(30),
            SslOptions = ssl,
            UseProxy = false,
            AllowAutoRedirect = false,
        };
    }

    private static bool ValidateCopy(
        Func<X509Certificate2, X509Chain?, SslPolicyErrors, bool> validate,
        X509Certificate certificate,
        X509Chain? chain,
        SslPolicyErrors errors)
    {
        using var copy = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        return validate(copy, chain, errors);
    }
}
