using Dstack.Rpc.Kms;
using Google.Protobuf.Reflection;

namespace Dstack.Rpc.Tests.Kms;

/// <summary>The hand-written method descriptors agree with the services compiled from protos/kms.proto.</summary>
public sealed class MethodDescriptorTests
{
    public static TheoryData<string, string, string, string> KmsAndOnboardMethods => new()
    {
        { KmsMethods.GetAppKey.Path, KmsMethods.GetAppKey.Service, nameof(GetAppKeyRequest), nameof(AppKeyResponse) },
        { KmsMethods.GetAppEnvEncryptPubKey.Path, KmsMethods.GetAppEnvEncryptPubKey.Service, nameof(AppId), nameof(PublicKeyResponse) },
        { KmsMethods.GetMeta.Path, KmsMethods.GetMeta.Service, "Empty", nameof(GetMetaResponse) },
        { KmsMethods.GetTempCaCert.Path, KmsMethods.GetTempCaCert.Service, "Empty", nameof(GetTempCaCertResponse) },
        { KmsMethods.SignCert.Path, KmsMethods.SignCert.Service, nameof(SignCertRequest), nameof(SignCertResponse) },
        { KmsMethods.GetKmsKey.Path, KmsMethods.GetKmsKey.Service, nameof(GetKmsKeyRequest), nameof(KmsKeyResponse) },
        { OnboardMethods.Bootstrap.Path, OnboardMethods.Bootstrap.Service, nameof(BootstrapRequest), nameof(BootstrapResponse) },
        { OnboardMethods.Onboard.Path, OnboardMethods.Onboard.Service, nameof(OnboardRequest), nameof(OnboardResponse) },
        { OnboardMethods.GetAttestationInfo.Path, OnboardMethods.GetAttestationInfo.Service, "Empty", nameof(AttestationInfoResponse) },
        { OnboardMethods.Finish.Path, OnboardMethods.Finish.Service, "Empty", "Empty" },
    };

    [Theory]
    [MemberData(nameof(KmsAndOnboardMethods))]
    public void Descriptor_matches_the_proto(string path, string service, string input, string output)
    {
        var serviceDescriptor = KmsReflection.Descriptor.Services.Single(s => s.FullName == service);
        var method = serviceDescriptor.Methods.Single(m => path == "/" + service + "/" + m.Name);
        Assert.Equal(input, method.InputType.Name);
        Assert.Equal(output, method.OutputType.Name);
    }

    [Fact]
    public void Every_proto_method_has_a_descriptor()
    {
        var described = KmsAndOnboardMethods.Select(row => (string)row[0]).ToHashSet();
        var all = KmsReflection.Descriptor.Services.SelectMany(s => s.Methods.Select(m => "/" + s.FullName + "/" + m.Name));
        Assert.All(all, path => Assert.Contains(path, described));
    }

    [Fact]
    public void Field_numbers_follow_the_reference_messages()
    {
        var meta = GetMetaResponse.Descriptor;
        Assert.Equal(1, meta.FindFieldByName("ca_cert").FieldNumber);
        Assert.Equal(3, meta.FindFieldByName("k256_pubkey").FieldNumber);
        Assert.Equal(8, meta.FindFieldByName("chain_id").FieldNumber);
        Assert.Equal(FieldType.UInt64, meta.FindFieldByName("chain_id").FieldType);
        var appKey = AppKeyResponse.Descriptor;
        Assert.Equal(5, appKey.FindFieldByName("k256_signature").FieldNumber);
        Assert.Equal(8, appKey.FindFieldByName("os_image_hash").FieldNumber);
        Assert.Equal(4, SignCertRequest.Descriptor.FindFieldByName("vm_config").FieldNumber);
        Assert.Equal(4, PublicKeyResponse.Descriptor.FindFieldByName("signature_v1").FieldNumber);
    }
}
