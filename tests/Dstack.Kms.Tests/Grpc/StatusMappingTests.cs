using Dstack.Kms.Hosting;
using Dstack.Kms.Service;
using Dstack.Rpc;

namespace Dstack.Kms.Tests.Grpc;

public sealed class StatusMappingTests
{
    [Theory]
    [InlineData("InvalidRequest", StatusCode.InvalidArgument)]
    [InlineData("Unauthenticated", StatusCode.Unauthenticated)]
    [InlineData("Denied", StatusCode.PermissionDenied)]
    [InlineData("BackendUnavailable", StatusCode.Unavailable)]
    [InlineData("NotReady", StatusCode.Unavailable)]
    public void Refusal_kinds_map_to_grpc_status_codes(string kind, StatusCode expected) =>
        Assert.Equal(expected, KmsGrpcMapping.ToStatusCode(Enum.Parse<KmsRefusalKind>(kind)));

    [Fact]
    public void A_refusal_becomes_an_rpc_exception_carrying_the_reason()
    {
        var refused = KmsResult<string>.Refused(KmsRefusalKind.Denied, "Boot denied: Compose hash not allowed");

        var error = Assert.Throws<RpcException>(() => KmsGrpcMapping.Unwrap(refused));

        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
        Assert.Equal("Boot denied: Compose hash not allowed", error.Detail);
    }
}
