using System.Security.Cryptography;
using System.Text.Json;
using Dstack.Agent.Certificates;
using Dstack.Agent.Identity;
using Dstack.Agent.Platform;
using AppInfo = Dstack.Agent.Rpc.AppInfo;
using Dstack.Attestation.EventLog;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace Dstack.Agent.Methods;

/// <summary>
/// <c>Info</c> (DstackGuest and Tappd, identical output; spec §2.5, §7): the app identity from
/// <see cref="IAppIdentitySource"/>, measurements from a fresh quote over 64 zero bytes, <c>mr_aggregated</c> from
/// them and the runtime events, <c>tcb_info</c> as pretty-printed JSON text, and the demo certificate.
/// <c>device_id</c> is SHA-256 of the empty string on TDX (the agent cannot see its own PPID). The answer is kept, and
/// served again as the same instance, while the identity (its files and the runtime log), the TD's measurements (from a
/// TD report: no quote is taken) and the demo certificate are unchanged.
/// </summary>
internal sealed class InfoMethod(IAppIdentitySource identitySource, QuoteService quotes, DemoCertificate demoCertificate) : RpcMethod<Empty, AppInfo>
{
    private static readonly RpcService[] Both = [RpcService.DstackGuest, RpcService.Tappd];
    private static readonly byte[] TdxDeviceId = SHA256.HashData([]);
    private Answered? _last;

    /// <inheritdoc />
    public override string Name => "Info";

    /// <inheritdoc />
    public override IReadOnlyList<RpcService> Services => Both;

    /// <inheritdoc />
    public override bool RepeatsAnswers => true;

    /// <inheritdoc />
    protected override async Task<AppInfo> InvokeAsync(Empty request, CancellationToken cancellationToken)
    {
        var identity = await identitySource.GetAsync(cancellationToken).ConfigureAwait(false);
        var appCert = await demoCertificate.GetAsync(cancellationToken).ConfigureAwait(false);
        if (_last is { } last && ReferenceEquals(last.Identity, identity) && last.AppCert == appCert
            && await quotes.IsCurrentAsync(last.Attestation, cancellationToken).ConfigureAwait(false))
        {
            return last.Answer;
        }

        var attestation = await quotes.AttestAsync(new byte[64], cancellationToken).ConfigureAwait(false);
        var mrAggregated = AppInfoCalculator.Compute(attestation.Measurements, attestation.RuntimeEvents).MrAggregated;
        var answer = new AppInfo
        {
            AppId = ByteString.CopyFrom(identity.AppId),
            InstanceId = ByteString.CopyFrom(identity.InstanceId),
            AppCert = appCert,
            TcbInfo = TcbInfo(identity, attestation, mrAggregated),
            AppName = identity.AppName,
            DeviceId = ByteString.CopyFrom(TdxDeviceId),
            MrAggregated = ByteString.CopyFrom(mrAggregated),
            OsImageHash = ByteString.CopyFrom(identity.OsImageHash),
            KeyProviderInfo = identity.KeyProviderInfo,
            ComposeHash = ByteString.CopyFrom(identity.ComposeHash),
            VmConfig = identity.VmConfig,
            CloudVendor = identity.CloudVendor,
            CloudProduct = identity.CloudProduct,
        };
        _last = new Answered(identity, attestation, appCert, answer);
        return answer;
    }

    /// <summary>
    /// The <c>tcb_info</c> text: a JSON object indented by two spaces with mrtd, rtmr0–3, mr_aggregated, os_image_hash,
    /// compose_hash, device_id (hex), the full event log (an array, without V2 preimages) and the raw app-compose text.
    /// </summary>
    internal static string TcbInfo(AppIdentity identity, TdAttestation attestation, byte[] mrAggregated)
    {
        using var eventLog = JsonDocument.Parse(EventLogJson.Serialize(attestation.EventLog.Select(e => e with { Preimage = null })));
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("mrtd", Convert.ToHexStringLower(attestation.Parsed.MrTd.Span));
            for (var i = 0; i < 4; i++)
            {
                json.WriteString("rtmr" + i, Convert.ToHexStringLower(attestation.Parsed.Rtmrs[i].Span));
            }

            json.WriteString("mr_aggregated", Convert.ToHexStringLower(mrAggregated));
            json.WriteString("os_image_hash", Convert.ToHexStringLower(identity.OsImageHash));
            json.WriteString("compose_hash", Convert.ToHexStringLower(identity.ComposeHash));
            json.WriteString("device_id", Convert.ToHexStringLower(TdxDeviceId));
            json.WritePropertyName("event_log");
            eventLog.RootElement.WriteTo(json);
            json.WriteString("app_compose", identity.AppCompose);
            json.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>An answer and what it was built from; it stays the answer while all of that is unchanged.</summary>
    private sealed record Answered(AppIdentity Identity, TdAttestation Attestation, string AppCert, AppInfo Answer);
}
