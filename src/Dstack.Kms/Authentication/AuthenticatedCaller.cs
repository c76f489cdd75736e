using Dstack.Attestation.EventLog;
using Dstack.Attestation.Formats;

namespace Dstack.Kms.Authentication;

/// <summary>A caller whose attestation verified: its <see cref="BootInfo"/> and the attestation it presented.</summary>
/// <param name="BootInfo">The identity the policy decides on and keys are derived from.</param>
/// <param name="Attestation">The decoded attestation.</param>
/// <param name="EncodedAttestation">The attestation bytes as presented (embedded into SignCert leaves on request).</param>
/// <param name="Measurements">MRTD, RTMRs and owner registers of the verified quote.</param>
/// <param name="RuntimeEvents">The runtime events that replayed to RTMR3.</param>
/// <param name="Config">The <c>vm_config</c> the BootInfo was built with (the request's, else the attestation's).</param>
internal sealed record AuthenticatedCaller(
    BootInfo BootInfo,
    VersionedAttestation Attestation,
    byte[] EncodedAttestation,
    TdMeasurements Measurements,
    IReadOnlyList<RuntimeEvent> RuntimeEvents,
    string Config);
