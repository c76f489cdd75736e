using Dstack.Agent.Platform;
using Dstack.Agent.Rpc;
using Dstack.Crypto.ReportData;
using Google.Protobuf;

namespace Dstack.Agent.Methods;

/// <summary>
/// Legacy <c>Tappd.TdxQuote</c> (spec §2.12): REPORTDATA = H(prefix ‖ ":" ‖ report_data) zero-padded (sha512 and
/// <c>app-data</c> by default), or exactly 64 raw bytes with <c>raw</c>; echoes the effective algorithm and prefix.
/// </summary>
internal sealed class TdxQuoteMethod(QuoteService quotes) : RpcMethod<TdxQuoteArgs, TdxQuoteResponse>
{
    private static readonly RpcService[] TappdOnly = [RpcService.Tappd];

    /// <inheritdoc />
    public override string Name => "TdxQuote";

    /// <inheritdoc />
    public override IReadOnlyList<RpcService> Services => TappdOnly;

    /// <inheritdoc />
    protected override Task<TdxQuoteResponse> InvokeAsync(TdxQuoteArgs request, CancellationToken cancellationToken) =>
        QuoteAsync(quotes, QuoteReportData.ForTdxQuote(request.ReportData.Span, request.HashAlgorithm, request.Prefix), cancellationToken);

    /// <summary>Quotes the computed report data and builds the Tappd response.</summary>
    internal static async Task<TdxQuoteResponse> QuoteAsync(QuoteService quotes, TdxQuoteReportData reportData, CancellationToken cancellationToken)
    {
        var attestation = await quotes.AttestAsync(reportData.ReportData.ToArray(), cancellationToken).ConfigureAwait(false);
        return new TdxQuoteResponse
        {
            Quote = ByteString.CopyFrom(attestation.Quote),
            EventLog = attestation.Log.Json,
            HashAlgorithm = reportData.HashAlgorithm,
            Prefix = reportData.Prefix,
        };
    }
}
