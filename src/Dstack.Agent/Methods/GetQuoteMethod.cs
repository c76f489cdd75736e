using Dstack.Agent.Identity;
using Dstack.Agent.Platform;
using Dstack.Agent.Rpc;
using Dstack.Crypto.ReportData;
using Google.Protobuf;

namespace Dstack.Agent.Methods;

/// <summary>
/// <c>GetQuote</c> (spec §2.3): at most 64 bytes of report data, right-padded with zeros and never hashed; the quote,
/// the event log that replays to it (every event with its digest, DESIGN §2), the padded report data and
/// <c>vm_config</c>. <c>attestation</c> stays empty on TDX (and is then omitted from JSON).
/// </summary>
internal sealed class GetQuoteMethod(QuoteService quotes, IAppIdentitySource identity) : RpcMethod<RawQuoteArgs, GetQuoteResponse>
{
    /// <inheritdoc />
    public override string Name => "GetQuote";

    /// <inheritdoc />
    protected override async Task<GetQuoteResponse> InvokeAsync(RawQuoteArgs request, CancellationToken cancellationToken)
    {
        var reportData = QuoteReportData.Pad(request.ReportData.Span);
        var attestation = await quotes.AttestAsync(reportData, cancellationToken).ConfigureAwait(false);
        var vmConfig = (await identity.GetAsync(cancellationToken).ConfigureAwait(false)).VmConfig;
        return new GetQuoteResponse
        {
            Quote = ByteString.CopyFrom(attestation.Quote),
            EventLog = attestation.Log.Json,
            ReportData = ByteString.CopyFrom(reportData),
            VmConfig = vmConfig,
        };
    }
}
