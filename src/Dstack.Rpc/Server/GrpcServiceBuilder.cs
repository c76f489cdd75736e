using System.Runtime.CompilerServices;
using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Dstack.Rpc.Server;

/// <summary>
/// Maps unary gRPC handlers onto ASP.NET Core endpoint routing (Kestrel). Obtain one with
/// <see cref="GrpcEndpointRouteBuilderExtensions.MapGrpcUnary"/>. Requests for paths of the form
/// <c>/{service}/{method}</c> that no handler serves are answered with UNIMPLEMENTED.
/// </summary>
public sealed class GrpcServiceBuilder : IUnaryServiceRegistry
{
    private static readonly ConditionalWeakTable<IEndpointRouteBuilder, GrpcServiceBuilder> Builders = [];

    private readonly IEndpointRouteBuilder _endpoints;
    private readonly GrpcServerOptions _options;
    private readonly ILogger _logger;
    private readonly HashSet<string> _paths = new(StringComparer.Ordinal);

    private GrpcServiceBuilder(IEndpointRouteBuilder endpoints, GrpcServerOptions options)
    {
        _endpoints = endpoints;
        _options = options;
        var loggerFactory = endpoints.ServiceProvider.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance;
        _logger = loggerFactory.CreateLogger("Dstack.Rpc.Server");
        endpoints.MapMethods("/{service}/{method}", [HttpMethods.Post], HandleUnknownMethodAsync)
            .WithDisplayName("gRPC unimplemented method");
    }

    /// <summary>The options this builder's endpoints use.</summary>
    public GrpcServerOptions Options => _options;

    /// <inheritdoc />
    public IUnaryServiceRegistry MapUnary<TRequest, TResponse>(string service, string method, UnaryHandler<TRequest, TResponse> handler)
        where TRequest : IMessage<TRequest>, new()
        where TResponse : IMessage<TResponse>, new()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(service);
        ArgumentException.ThrowIfNullOrWhiteSpace(method);
        ArgumentNullException.ThrowIfNull(handler);
        if (service.Contains('/', StringComparison.Ordinal) || method.Contains('/', StringComparison.Ordinal))
        {
            throw new ArgumentException("Service and method names must not contain '/'.", nameof(service));
        }

        var path = "/" + service + "/" + method;
        if (!_paths.Add(path))
        {
            throw new InvalidOperationException("A handler for " + path + " is already mapped.");
        }

        var endpoint = new UnaryServerMethod<TRequest, TResponse>(path, handler, _options, _logger);
        _endpoints.MapMethods(path, [HttpMethods.Post], endpoint.HandleAsync).WithDisplayName("gRPC " + path);
        return this;
    }

    internal static GrpcServiceBuilder GetOrCreate(IEndpointRouteBuilder endpoints, GrpcServerOptions? options)
    {
        if (Builders.TryGetValue(endpoints, out var existing))
        {
            if (options is not null && !ReferenceEquals(options, existing._options))
            {
                throw new InvalidOperationException("MapGrpcUnary was already called on these endpoints with other options.");
            }

            return existing;
        }

        options ??= new GrpcServerOptions();
        options.Validate();
        var builder = new GrpcServiceBuilder(endpoints, options);
        Builders.AddOrUpdate(endpoints, builder);
        return builder;
    }

    private async Task HandleUnknownMethodAsync(HttpContext http)
    {
        if (!await GrpcServerCall.CheckRequestAsync(http).ConfigureAwait(false))
        {
            return;
        }

        var path = http.Request.Path.Value ?? string.Empty;
        ServerLog.UnknownMethod(_logger, path);
        await GrpcServerCall.WriteStatusAsync(http, StatusCode.Unimplemented, "Method " + path + " is unimplemented")
            .ConfigureAwait(false);
    }
}
