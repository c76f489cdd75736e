using Dstack.Agent.Api;
using Dstack.Agent.Methods;
using Dstack.Agent.Rpc;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace Dstack.Agent.Tests.Support;

/// <summary>Test-only method: echoes its GetTlsKeyArgs, to see exactly what the decoder produced.</summary>
internal sealed class EchoTlsArgsMethod : RpcMethod<GetTlsKeyArgs, GetTlsKeyArgs>
{
    public override string Name => "EchoTlsArgs";

    protected override Task<GetTlsKeyArgs> InvokeAsync(GetTlsKeyArgs request, CancellationToken cancellationToken) =>
        Task.FromResult(request);
}

/// <summary>Test-only method: report_data → GetQuoteResponse, attestation = report_data reversed.</summary>
internal sealed class EchoQuoteMethod : RpcMethod<RawQuoteArgs, GetQuoteResponse>
{
    public override string Name => "EchoQuote";

    protected override Task<GetQuoteResponse> InvokeAsync(RawQuoteArgs request, CancellationToken cancellationToken) =>
        Task.FromResult(new GetQuoteResponse
        {
            ReportData = request.ReportData,
            Attestation = ByteString.CopyFrom(request.ReportData.Reverse().ToArray()),
        });
}

/// <summary>Test-only method returning Empty.</summary>
internal sealed class EmptyResultMethod : RpcMethod<EmitEventArgs, Empty>
{
    public override string Name => "EmptyResult";

    protected override Task<Empty> InvokeAsync(EmitEventArgs request, CancellationToken cancellationToken) =>
        request.Event == "fail" ? throw new RpcException("event refused") : Task.FromResult(new Empty());
}

/// <summary>Test-only method that fails unexpectedly.</summary>
internal sealed class ThrowingMethod : RpcMethod<Empty, Empty>
{
    public override string Name => "Throwing";

    protected override Task<Empty> InvokeAsync(Empty request, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("outer", new IOException("inner cause"));
}
