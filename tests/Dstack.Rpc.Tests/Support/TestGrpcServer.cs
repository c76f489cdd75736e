using System.Globalization;
using Dstack.Rpc.Kms;
using Dstack.Rpc.Server;
using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;

namespace Dstack.Rpc.Tests.Support;

/// <summary>
/// Our server on a real Kestrel (127.0.0.1, dynamic port), serving test handlers for part of kms.KMS.
/// GetAppKey's vm_config selects the behaviour: "status:&lt;code&gt;:&lt;message&gt;" throws RpcException,
/// "wait" waits for cancellation (and records it), "big:&lt;n&gt;" answers n characters, "throw" throws a plain
/// exception, anything else is echoed.
/// </summary>
internal sealed class TestGrpcServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TestGrpcServer(WebApplication app, bool tls)
    {
        _app = app;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        Port = new Uri(address).Port;
        Tls = tls;
    }

    public int Port { get; }

    public bool Tls { get; }

    /// <summary>Completes when a "wait" handler started.</summary>
    public TaskCompletionSource HandlerStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when a "wait" handler saw its cancellation token fire.</summary>
    public TaskCompletionSource HandlerCancelled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Uri Address => new((Tls ? "https" : "http") + "://localhost:" + Port.ToString(CultureInfo.InvariantCulture));

    public static async Task<TestGrpcServer> StartAsync(GrpcServerTlsOptions? tls = null, GrpcServerOptions? options = null)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(System.Net.IPAddress.Loopback, 0, listen =>
        {
            if (tls is null)
            {
                listen.UseGrpcPlaintext();
            }
            else
            {
                listen.UseGrpcTls(tls);
            }
        }));
        builder.Services.AddRouting();
        var app = builder.Build();
        TestGrpcServer? server = null;
        var grpc = app.MapGrpcUnary(options);
        grpc.MapUnary(KmsMethods.GetMeta, (_, context) => Task.FromResult(new GetMetaResponse
        {
            CaCert = "dotnet-ca",
            K256Pubkey = ByteString.CopyFrom(Enumerable.Repeat((byte)0x22, 33).ToArray()),
            IsDev = true,
            ChainId = 8453,
            GatewayAppId = context.GetRequestHeader("x-test") ?? string.Empty,
            AppAuthImplementation = context.ClientCertificate?.Subject ?? "none",
            KmsContractAddress = context.Peer,
        }));
        grpc.MapUnary(KmsMethods.GetAppKey, async (request, context) =>
        {
            var parts = request.VmConfig.Split(':', 3);
            switch (parts[0])
            {
                case "status":
                    throw new RpcException((StatusCode)int.Parse(parts[1], CultureInfo.InvariantCulture), parts[2]);
                case "wait":
                    server!.HandlerStarted.TrySetResult();
                    try
                    {
                        await Task.Delay(Timeout.Infinite, context.CancellationToken);
                    }
                    catch (OperationCanceledException)
                    {
                        server!.HandlerCancelled.TrySetResult();
                        throw;
                    }

                    break;
                case "big":
                    return new AppKeyResponse { CaCert = new string('x', int.Parse(parts[1], CultureInfo.InvariantCulture)) };
                case "throw":
                    throw new InvalidOperationException("secret detail");
            }

            return new AppKeyResponse
            {
                CaCert = request.VmConfig,
                K256Key = ByteString.CopyFrom((byte)request.ApiVersion),
                DiskCryptKey = ByteString.CopyFrom(Enumerable.Repeat((byte)0xAB, 32).ToArray()),
                GatewayAppId = context.Deadline is null ? "no-deadline" : "deadline",
            };
        });
        grpc.MapUnary(KmsMethods.GetAppEnvEncryptPubKey, (request, _) => Task.FromResult(new PublicKeyResponse
        {
            PublicKey = ByteString.CopyFrom(request.AppId_.Reverse().ToArray()),
            Timestamp = 1_700_000_000,
        }));
        await app.StartAsync();
        server = new TestGrpcServer(app, tls is not null);
        return server;
    }

    /// <summary>
    /// After a "wait" call ended with DEADLINE_EXCEEDED: when its handler ran, its token must have been cancelled.
    /// (Under heavy load the caller's deadline can pass before the request reaches the handler at all.)
    /// </summary>
    public async Task AssertWaitingHandlerWasCancelledAsync()
    {
        if (HandlerStarted.Task.IsCompleted)
        {
            await HandlerCancelled.Task.WaitAsync(TimeSpan.FromSeconds(30));
        }
    }

    public static GrpcServerTlsOptions MutualTls(TestCertificates certificates, ClientCertificateMode mode = ClientCertificateMode.AllowCertificate) => new()
    {
        ServerCertificate = certificates.Server,
        ClientCertificateMode = mode,
        ClientCertificateValidation = (certificate, _, _) => certificates.IssuedByCa(certificate),
    };

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _app.StopAsync(timeout.Token);
        await _app.DisposeAsync();
    }
}
