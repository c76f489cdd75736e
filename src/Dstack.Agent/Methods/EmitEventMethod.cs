using Dstack.Agent.Api;
using Dstack.Agent.Platform;
using Dstack.Agent.Rpc;
using Dstack.Attestation.Devices;
using Dstack.Attestation.EventLog;
using Google.Protobuf.WellKnownTypes;

namespace Dstack.Agent.Methods;

/// <summary>
/// <c>EmitEvent</c> (spec §2.10, §6): extends RTMR3 with the event digest and appends the event to the runtime log, as
/// one critical section (<see cref="RuntimeEventEmitter"/>). The name must be non-empty, without control characters
/// and at most 256 characters; the payload at most 64 KiB. Events after <c>system-ready</c> never change the app identity.
/// An event that would take the log past what verifiers accept, or any event while the log does not replay to RTMR3,
/// is refused with the reason (HTTP 400).
/// </summary>
internal sealed class EmitEventMethod(TdxPlatform platform) : RpcMethod<EmitEventArgs, Empty>
{
    /// <inheritdoc />
    public override string Name => "EmitEvent";

    /// <inheritdoc />
    protected override async Task<Empty> InvokeAsync(EmitEventArgs request, CancellationToken cancellationToken)
    {
        try
        {
            await platform.Events.EmitAsync(request.Event, request.Payload.Memory, cancellationToken).ConfigureAwait(false);
        }
        catch (ArgumentException ex)
        {
            var field = ex.ParamName == "payload" ? "payload" : "event";
            throw new RpcException($"{field}: {FirstSentence(ex.Message)}", ex);
        }
        catch (RuntimeEventLogException ex)
        {
            throw new RpcException(ex.Message, ex);
        }
        catch (EventLogFormatException ex)
        {
            throw new RpcException($"cannot read the runtime event log {platform.Events.LogPath}: {ex.Message}", ex);
        }
        catch (Exception ex) when (ex is TdxDeviceException or IOException or UnauthorizedAccessException)
        {
            throw new RpcException($"failed to emit event '{request.Event}': {ex.Message}", ex);
        }

        return new Empty();
    }

    // ArgumentException appends " (Parameter 'x')" to the message
    private static string FirstSentence(string message)
    {
        var index = message.IndexOf(" (Parameter ", StringComparison.Ordinal);
        return index < 0 ? message : message[..index];
    }
}
