using Google.Protobuf.WellKnownTypes;

namespace Dstack.Rpc.Kms;

/// <summary>The methods of <c>service Onboard</c> in <c>protos/kms.proto</c>, served by a KMS that has no keys yet.</summary>
public static class OnboardMethods
{
    /// <summary>The fully qualified service name.</summary>
    public const string ServiceName = "kms.Onboard";

    /// <summary>Generates fresh root keys.</summary>
    public static UnaryMethod<BootstrapRequest, BootstrapResponse> Bootstrap { get; } = new(ServiceName, "Bootstrap");

    /// <summary>Obtains the root keys from a running KMS.</summary>
    public static UnaryMethod<OnboardRequest, OnboardResponse> Onboard { get; } = new(ServiceName, "Onboard");

    /// <summary>This instance's attestation facts.</summary>
    public static UnaryMethod<Empty, AttestationInfoResponse> GetAttestationInfo { get; } = new(ServiceName, "GetAttestationInfo");

    /// <summary>Stops the onboarding listener.</summary>
    public static UnaryMethod<Empty, Empty> Finish { get; } = new(ServiceName, "Finish");
}
