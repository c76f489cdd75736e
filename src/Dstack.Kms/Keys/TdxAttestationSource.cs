using Dstack.Attestation.Devices;
using Dstack.Attestation.EventLog;
using Dstack.Attestation.Formats;

namespace Dstack.Kms.Keys;

/// <summary>
/// Attests through an <see cref="ITdxDevice"/>: a quote over the report data, the CCEL boot events followed by the
/// runtime events of the TD's runtime log (absent log = no runtime events), and an empty <c>vm_config</c>.
/// </summary>
internal sealed class TdxAttestationSource(ITdxDevice device, string? runtimeEventLogPath) : IKmsAttestationSource
{
    /// <inheritdoc />
    public async Task<VersionedAttestation> AttestAsync(ReadOnlyMemory<byte> reportData, CancellationToken cancellationToken)
    {
        var quote = await device.GetQuoteAsync(reportData, cancellationToken).ConfigureAwait(false);
        var boot = CcelParser.Parse(await device.ReadCcelAsync(cancellationToken).ConfigureAwait(false));
        IReadOnlyList<RuntimeEvent> runtime = runtimeEventLogPath is null
            ? []
            : await RuntimeEventLog.ReadAsync(runtimeEventLogPath, cancellationToken).ConfigureAwait(false);
        return new VersionedAttestation
        {
            Quote = quote,
            EventLog = [.. boot, .. runtime.Select(e => e.ToTdxEvent())],
            RuntimeEvents = runtime,
            ReportData = reportData.ToArray(),
            Config = string.Empty,
        };
    }
}
