using System.Globalization;
using Dstack.Rpc.Protocol;
using Google.Protobuf;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace Dstack.Rpc.Server;

/// <summary>Serves one unary method: reads the framed request, runs the handler under the deadline, writes the answer.</summary>
internal sealed class UnaryServerMethod<TRequest, TResponse>
    where TRequest : IMessage<TRequest>, new()
    where TResponse : IMessage<TResponse>, new()
{
    // CancellationTokenSource timers accept at most this much; longer deadlines are as good as none.
    private static readonly TimeSpan LongestTimer = TimeSpan.FromMilliseconds(uint.MaxValue - 1);

    private readonly MessageParser<TRequest> _parser = new(() => new TRequest());
    private readonly UnaryHandler<TRequest, TResponse> _handler;
    private readonly GrpcServerOptions _options;
    private readonly ILogger _logger;

    public UnaryServerMethod(string path, UnaryHandler<TRequest, TResponse> handler, GrpcServerOptions options, ILogger logger)
    {
        Path = path;
        _handler = handler;
        _options = options;
        _logger = logger;
    }

    public string Path { get; }

    public async Task HandleAsync(HttpContext http)
    {
        if (!await GrpcServerCall.CheckRequestAsync(http).ConfigureAwait(false))
        {
            return;
        }

        var timeProvider = _options.TimeProvider;
        var timeoutHeader = http.Request.Headers[GrpcHeaders.Timeout].ToString();
        TimeSpan? timeout = null;
        if (timeoutHeader.Length > 0)
        {
            if (!GrpcTimeout.TryParse(timeoutHeader, out var parsed))
            {
                await FailAsync(http, StatusCode.Internal, "Invalid grpc-timeout header").ConfigureAwait(false);
                return;
            }

            timeout = parsed;
        }

        using var deadlineSource = timeout is { } armed && armed < LongestTimer
            ? new CancellationTokenSource(armed, timeProvider)
            : new CancellationTokenSource();
        using var callSource = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, deadlineSource.Token);
        var cancellationToken = callSource.Token;
        DateTimeOffset? deadline = timeout is { } t && t < LongestTimer ? timeProvider.GetUtcNow() + t : null;

        try
        {
            var payload = await GrpcFraming.ReadSingleMessageAsync(http.Request.BodyReader, _options.MaxReceiveMessageSize, cancellationToken)
                .ConfigureAwait(false)
                ?? throw new RpcException(StatusCode.Internal, "The request contained no message");

            TRequest request;
            try
            {
                request = _parser.ParseFrom(payload);
            }
            catch (InvalidProtocolBufferException e)
            {
                throw new RpcException(StatusCode.Internal, "The request message could not be parsed: " + e.Message, e);
            }

            var context = new CallContext(
                Path,
                GrpcServerCall.DescribePeer(http),
                http.Connection.ClientCertificate,
                deadline,
                GrpcServerCall.ReadMetadata(http),
                cancellationToken);

            var handlerTask = _handler(request, context);
            TResponse response;
            try
            {
                response = await handlerTask.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!handlerTask.IsCompleted)
            {
                // The deadline passed (or the caller left) while the handler still runs: answer now and let the
                // handler finish on its own, observing whatever it ends with.
                _ = handlerTask.ContinueWith(
                    static (task, state) =>
                    {
                        var (logger, method) = ((ILogger, string))state!;
                        if (task.Exception is { } failure && failure.InnerException is not OperationCanceledException)
                        {
                            ServerLog.HandlerFailedAfterDeadline(logger, method, failure.InnerException ?? failure);
                        }
                    },
                    (_logger, Path),
                    CancellationToken.None,
                    TaskContinuationOptions.ExecuteSynchronously,
                    TaskScheduler.Default);
                throw;
            }

            if (response is null)
            {
                throw new RpcException(StatusCode.Internal, "The handler returned no response message");
            }

            var frame = GrpcFraming.Frame(response, _options.MaxSendMessageSize);
            http.Response.StatusCode = StatusCodes.Status200OK;
            http.Response.ContentType = GrpcHeaders.ContentType;
            http.Response.Headers[GrpcHeaders.AcceptEncoding] = GrpcHeaders.IdentityEncoding;
            await http.Response.BodyWriter.WriteAsync(frame, cancellationToken).ConfigureAwait(false);
            http.Response.AppendTrailer(GrpcHeaders.Status, GrpcStatusParser.Format(StatusCode.Ok));
        }
        catch (RpcException e) when (e.StatusCode != StatusCode.Ok)
        {
            await FailAsync(http, e.StatusCode, e.Detail).ConfigureAwait(false);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            // the listener's request-size limit (Kestrel MaxRequestBodySize) ended the body
            var limit = http.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize;
            await FailAsync(http, StatusCode.ResourceExhausted, limit is { } max
                ? string.Create(CultureInfo.InvariantCulture, $"Request body exceeds the limit of {max} bytes")
                : "Request body too large").ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (deadlineSource.IsCancellationRequested)
        {
            await FailAsync(http, StatusCode.DeadlineExceeded, "Deadline exceeded").ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            ServerLog.CallerGone(_logger, Path);
        }
        catch (Exception e)
        {
            if (http.RequestAborted.IsCancellationRequested)
            {
                ServerLog.CallerGone(_logger, Path);
                return;
            }

            ServerLog.HandlerFailed(_logger, Path, e);
            var detail = _options.IncludeExceptionDetails
                ? "Exception was thrown by handler. " + e.GetType().Name + ": " + e.Message
                : "Exception was thrown by handler.";
            await GrpcServerCall.WriteStatusAsync(http, StatusCode.Unknown, detail).ConfigureAwait(false);
        }
    }

    private Task FailAsync(HttpContext http, StatusCode code, string detail)
    {
        ServerLog.CallFailed(_logger, Path, code, detail);
        return GrpcServerCall.WriteStatusAsync(http, code, detail);
    }
}
