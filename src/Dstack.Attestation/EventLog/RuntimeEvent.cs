namespace Dstack.Attestation.EventLog;

/// <summary>A dstack runtime event as the runtime log and the attestation formats carry it: name, payload, digest version.</summary>
/// <param name="Name">Event name (e.g. <c>app-id</c>).</param>
/// <param name="Payload">Raw payload bytes.</param>
/// <param name="Version">Digest version, 1 (default) or 2.</param>
public sealed record RuntimeEvent(string Name, byte[] Payload, int Version = 1)
{
    /// <summary>The exact bytes hashed into the digest.</summary>
    public byte[] ComputePreimage() => RuntimeEventDigest.Preimage(Name, Payload, Version);

    /// <summary>The SHA-384 digest extended into RTMR3.</summary>
    public byte[] ComputeDigest() => RuntimeEventDigest.Compute(Name, Payload, Version);

    /// <summary>The event-log entry for this event (imr 3, type 0x08000001), with the digest and, for V2, the preimage.</summary>
    public TdxEvent ToTdxEvent()
    {
        var preimage = ComputePreimage();
        return new TdxEvent
        {
            Imr = TdxEventTypes.RuntimeEventImr,
            EventType = TdxEventTypes.DstackRuntimeEvent,
            Digest = System.Security.Cryptography.SHA384.HashData(preimage),
            Event = Name,
            EventPayload = Payload,
            Version = Version == 1 ? null : Version,
            Preimage = Version == 1 ? null : preimage,
        };
    }

    /// <summary>The runtime event that an RTMR3 entry of an event log describes.</summary>
    public static RuntimeEvent FromTdxEvent(TdxEvent tdxEvent)
    {
        ArgumentNullException.ThrowIfNull(tdxEvent);
        return new RuntimeEvent(tdxEvent.Event, tdxEvent.EventPayload, tdxEvent.Version ?? 1);
    }
}
