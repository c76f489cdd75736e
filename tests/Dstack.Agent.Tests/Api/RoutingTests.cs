using Dstack.Agent.Tests.Support;

namespace Dstack.Agent.Tests.Api;

public sealed class RoutingTests : IAsyncLifetime
{
    private TestAgent _agent = null!;

    public async Task InitializeAsync() => _agent = await TestAgent.StartAsync();

    public async Task DisposeAsync() => await _agent.DisposeAsync();

    [Theory]
    [InlineData("GET", "/Version")]
    [InlineData("POST", "/Version")]
    [InlineData("GET", "/Info")]
    [InlineData("GET", "/prpc/Tappd.Info")]
    [InlineData("GET", "/prpc/Info")]
    public async Task Dstack_socket_serves_methods_at_root(string method, string path)
    {
        var response = await RawHttp.SendAsync(_agent.DstackSocket, RawHttp.Request(method, path, body: method == "POST" ? [] : null));
        Assert.Equal(200, response.Status);
    }

    [Theory]
    [InlineData("/prpc/Tappd.Version")]
    [InlineData("/prpc/Version")]
    [InlineData("/prpc/Tappd.Tappd.Version")]
    [InlineData("/prpc/Tappd.Info")]
    public async Task Tappd_socket_serves_prpc_paths_with_optional_prefix(string path)
    {
        var response = await RawHttp.SendAsync(_agent.TappdSocket, RawHttp.Request("GET", path));
        Assert.Equal(200, response.Status);
    }

    [Theory]
    [InlineData("dstack", "GET", "/prpc/GetKey")]
    [InlineData("dstack", "GET", "/prpc/Tappd.Version")]
    [InlineData("dstack", "GET", "/a/b")]
    [InlineData("dstack", "GET", "/")]
    [InlineData("dstack", "PUT", "/Version")]
    [InlineData("dstack", "DELETE", "/Version")]
    [InlineData("tappd", "GET", "/Info")]
    [InlineData("tappd", "GET", "/prpc/")]
    [InlineData("tappd", "GET", "/prpc/Tappd.Info/x")]
    public async Task Wrong_path_shape_is_404(string socket, string method, string path)
    {
        var response = await RawHttp.SendAsync(socket == "dstack" ? _agent.DstackSocket : _agent.TappdSocket, RawHttp.Request(method, path));
        Assert.Equal(404, response.Status);
        Assert.Contains("\"error\"", response.BodyText, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("dstack", "/Nope", "Nope")]
    [InlineData("dstack", "/Tappd.Info", "Tappd.Info")]
    [InlineData("dstack", "/version", "version")]
    [InlineData("dstack", "/DeriveK256Key", "DeriveK256Key")]
    [InlineData("tappd", "/prpc/Tappd.GetKey", "GetKey")]
    [InlineData("tappd", "/prpc/Tappd.EchoTlsArgs", "EchoTlsArgs")]
    public async Task Unknown_method_is_400_service_not_found(string socket, string path, string name)
    {
        var response = await RawHttp.SendAsync(socket == "dstack" ? _agent.DstackSocket : _agent.TappdSocket, RawHttp.Request("GET", path));
        Assert.Equal(400, response.Status);
        Assert.Equal("{\n  \"error\": \"Service not found: " + name + "\"\n}", response.BodyText);
        Assert.Equal("application/json", response.Header("Content-Type"));
    }
}
