using Dstack.Agent.Identity;
using Dstack.Agent.Platform;
using Dstack.Agent.Rpc;
using Dstack.Crypto.ReportData;
using Google.Protobuf;

namespace Dstack.Agent.Methods;

/// <summary>
/// <c>Attest</c> (spec §2.4): the same report-data rule as <c>GetQuote</c>; the full, unstripped attestation as a
/// V0 SCALE VersionedAttestation (quote, event log, runtime events, report data, <c>vm_config</c>).
/// </summary>
internal sealed class AttestMethod(QuoteService quotes, IAppIdentitySource identity) : RpcMethod<RawQuoteArgs, AttestResponse>
{
    /// <inheritdoc />
    public override string Name => "Attest";

    /// <inheritdoc />
    protected override async Task<AttestResponse> InvokeAsync(RawQuoteArgs request, CancellationToken cancellationToken)
    {
        var reportData = QuoteReportData.Pad(request.ReportData.Span);
        var attestation = await quotes.AttestAsync(reportData, cancellationToken).ConfigureAwait(false);
        var vmConfig = (await identity.GetAsync(cancellationToken).ConfigureAwait(false)).VmConfig;
        return new AttestResponse { Attestation = ByteString.CopyFrom(AttestationEncoding.Full(attestation, vmConfig)) };
    }
}
