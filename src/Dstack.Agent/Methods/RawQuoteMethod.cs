using Dstack.Agent.Platform;
using Dstack.Agent.Rpc;
using Dstack.Crypto.ReportData;

namespace Dstack.Agent.Methods;

/// <summary>Legacy <c>Tappd.RawQuote</c> (spec §2.12): <c>TdxQuote</c> with <c>raw</c>, so exactly 64 bytes of report data.</summary>
internal sealed class RawQuoteMethod(QuoteService quotes) : RpcMethod<RawQuoteArgs, TdxQuoteResponse>
{
    private static readonly RpcService[] TappdOnly = [RpcService.Tappd];

    /// <inheritdoc />
    public override string Name => "RawQuote";

    /// <inheritdoc />
    public override IReadOnlyList<RpcService> Services => TappdOnly;

    /// <inheritdoc />
    protected override Task<TdxQuoteResponse> InvokeAsync(RawQuoteArgs request, CancellationToken cancellationToken) =>
        TdxQuoteMethod.QuoteAsync(quotes, QuoteReportData.ForTdxQuote(request.ReportData.Span, QuoteReportData.RawHashAlgorithm, ""), cancellationToken);
}
