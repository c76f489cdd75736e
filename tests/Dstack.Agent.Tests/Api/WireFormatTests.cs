using System.Text;
using Dstack.Agent.Rpc;
using Dstack.Agent.Tests.Support;
using Google.Protobuf;

namespace Dstack.Agent.Tests.Api;

public sealed class WireFormatTests : IAsyncLifetime
{
    private TestAgent _agent = null!;

    public async Task InitializeAsync() => _agent = await TestAgent.StartAsync(a => a.Config["Limits"] = new System.Text.Json.Nodes.JsonObject { ["MaxRequestBodyBytes"] = 4096 });

    public async Task DisposeAsync() => await _agent.DisposeAsync();

    private Task<RawResponse> Post(string target, string? contentType, string body) =>
        RawHttp.SendAsync(_agent.DstackSocket, RawHttp.Request("POST", target, contentType, Encoding.UTF8.GetBytes(body)));

    [Fact]
    public async Task Json_post_decodes_every_field_kind_and_answers_every_field_in_proto_order()
    {
        var response = await Post("/EchoTlsArgs", "application/json",
            "{\"subject\":\"s\",\"alt_names\":[\"a\",\"b\"],\"usage_ra_tls\":true,\"not_after\":42,\"unknown\":{\"x\":[1,2]}}");
        Assert.Equal(200, response.Status);
        Assert.Equal(
            "{\"subject\":\"s\",\"alt_names\":[\"a\",\"b\"],\"usage_ra_tls\":true,\"usage_server_auth\":false,\"usage_client_auth\":false,\"not_before\":null,\"not_after\":42,\"with_app_info\":false}",
            response.BodyText);
        Assert.Equal(response.Body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), response.Header("Content-Length"));
    }

    [Fact]
    public async Task Get_query_form_is_json_with_serde_qs_arrays()
    {
        var response = await RawHttp.SendAsync(_agent.DstackSocket,
            RawHttp.Request("GET", "/EchoTlsArgs?subject=a+b%2Fc&alt_names[1]=y&alt_names[0]=x&usage_server_auth=true&not_before=7&json=0&zzz=1"));
        Assert.Equal(200, response.Status);
        Assert.Equal(
            "{\"subject\":\"a b/c\",\"alt_names\":[\"x\",\"y\"],\"usage_ra_tls\":false,\"usage_server_auth\":true,\"usage_client_auth\":false,\"not_before\":7,\"not_after\":null,\"with_app_info\":false}",
            response.BodyText);
    }

    [Fact]
    public async Task Get_query_bad_boolean_names_the_field()
    {
        var response = await RawHttp.SendAsync(_agent.DstackSocket, RawHttp.Request("GET", "/EchoTlsArgs?usage_ra_tls=yes"));
        Assert.Equal(400, response.Status);
        Assert.Contains("usage_ra_tls", response.BodyText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Hex_input_accepts_repeated_0x_and_upper_case_and_output_is_lowercase()
    {
        var response = await Post("/EchoQuote", "application/json", "{\"report_data\":\"0x0xABcd\"}");
        Assert.Equal("{\"quote\":\"\",\"event_log\":\"\",\"report_data\":\"abcd\",\"vm_config\":\"\",\"attestation\":\"cdab\"}", response.BodyText);
    }

    [Fact]
    public async Task Empty_attestation_is_omitted()
    {
        var response = await Post("/EchoQuote", "application/json", "{}");
        Assert.Equal("{\"quote\":\"\",\"event_log\":\"\",\"report_data\":\"\",\"vm_config\":\"\"}", response.BodyText);
    }

    [Theory]
    [InlineData("{\"report_data\":\"abc\"}", "Odd number of digits")]
    [InlineData("{\"report_data\":\"zz\"}", "Invalid character")]
    [InlineData("{\"report_data\":12}", "invalid type: integer `12`, expected a hex string for field `report_data`")]
    [InlineData("{\"report_data\":\"ab\",\"report_data\":\"cd\"}", "duplicate field `report_data`")]
    [InlineData("{\"report_data\":", "invalid JSON")]
    [InlineData("[1]", "invalid type: sequence, expected struct RawQuoteArgs")]
    [InlineData("null", "invalid type: null")]
    [InlineData("{} x", "invalid JSON")]
    public async Task Malformed_json_is_400_with_a_message(string body, string message)
    {
        var response = await Post("/EchoQuote", "application/json", body);
        Assert.Equal(400, response.Status);
        Assert.StartsWith("{\n  \"error\": \"", response.BodyText, StringComparison.Ordinal);
        Assert.Contains(message, response.BodyText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Type_errors_name_the_field_and_position()
    {
        var response = await Post("/EchoTlsArgs", "application/json", "{\"usage_ra_tls\":\"x\"}");
        Assert.Equal("{\n  \"error\": \"invalid type: string \\\"x\\\", expected a boolean for field `usage_ra_tls` at line 1 column 17\"\n}", response.BodyText);
    }

    [Fact]
    public async Task Null_is_accepted_only_for_optional_fields()
    {
        Assert.Equal(200, (await Post("/EchoTlsArgs", "application/json", "{\"not_before\":null}")).Status);
        var response = await Post("/EchoTlsArgs", "application/json", "{\"subject\":null}");
        Assert.Equal(400, response.Status);
        Assert.Contains("field `subject`", response.BodyText, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/EchoQuote?json", null)]
    [InlineData("/EchoQuote?json=", "text/plain")]
    [InlineData("/EchoQuote?json=true", null)]
    [InlineData("/EchoQuote?json=1", "application/x-www-form-urlencoded")]
    [InlineData("/EchoQuote", "application/json")]
    [InlineData("/EchoQuote", "Application/JSON; charset=utf-8")]
    public async Task Json_mode_is_chosen_by_query_flag_or_content_type(string target, string? contentType)
    {
        var response = await Post(target, contentType, "{\"report_data\":\"01\"}");
        Assert.Equal(200, response.Status);
        Assert.Equal("application/json", response.Header("Content-Type"));
        Assert.Contains("\"report_data\":\"01\"", response.BodyText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Protobuf_mode_both_ways()
    {
        var request = new RawQuoteArgs { ReportData = ByteString.CopyFrom(1, 2, 3) }.ToByteArray();
        var response = await RawHttp.SendAsync(_agent.DstackSocket, RawHttp.Request("POST", "/EchoQuote", "application/octet-stream", request));
        Assert.Equal(200, response.Status);
        Assert.Equal("application/octet-stream", response.Header("Content-Type"));
        var decoded = GetQuoteResponse.Parser.ParseFrom(response.Body);
        Assert.Equal(new byte[] { 1, 2, 3 }, decoded.ReportData.ToByteArray());
        Assert.Equal(new byte[] { 3, 2, 1 }, decoded.Attestation.ToByteArray());
    }

    [Fact]
    public async Task Protobuf_mode_errors_are_protobuf_messages()
    {
        var response = await RawHttp.SendAsync(_agent.DstackSocket, RawHttp.Request("POST", "/Nope", null, []));
        Assert.Equal(400, response.Status);
        Assert.Equal("Service not found: Nope", RpcError.Parser.ParseFrom(response.Body).Message);

        var malformed = await RawHttp.SendAsync(_agent.DstackSocket, RawHttp.Request("POST", "/EchoQuote", "text/plain", Encoding.UTF8.GetBytes("{\"x\":1}")));
        Assert.Equal(400, malformed.Status);
        Assert.Contains("RawQuoteArgs", RpcError.Parser.ParseFrom(malformed.Body).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Empty_results_are_json_null_or_empty_protobuf()
    {
        var json = await Post("/EmptyResult", "application/json", "{\"event\":\"e\",\"payload\":\"00\"}");
        Assert.Equal(200, json.Status);
        Assert.Equal("null", json.BodyText);
        Assert.Equal("4", json.Header("Content-Length"));

        var proto = await RawHttp.SendAsync(_agent.DstackSocket, RawHttp.Request("POST", "/EmptyResult", null, []));
        Assert.Equal(200, proto.Status);
        Assert.Equal("0", proto.Header("Content-Length"));
    }

    [Fact]
    public async Task Empty_input_is_the_default_message_and_empty_argument_methods_ignore_the_body()
    {
        Assert.Equal(200, (await Post("/EchoQuote", "application/json", "")).Status);
        Assert.Equal(200, (await Post("/Version", "application/json", "this is not json")).Status);
        Assert.Equal(200, (await Post("/Version", null, "\xff\xff not protobuf")).Status);
    }

    [Fact]
    public async Task Handler_errors_are_400_with_the_error_chain()
    {
        var refused = await Post("/EmptyResult", "application/json", "{\"event\":\"fail\"}");
        Assert.Equal("{\n  \"error\": \"event refused\"\n}", refused.BodyText);
        var thrown = await Post("/Throwing?json", null, "");
        Assert.Equal(400, thrown.Status);
        Assert.Equal("{\n  \"error\": \"outer: inner cause\"\n}", thrown.BodyText);
    }

    [Fact]
    public async Task Output_is_ascii_only()
    {
        var response = await Post("/EchoTlsArgs", "application/json", "{\"subject\":\"ключ \\u0001 😀 \\\" \\\\ <&>+\"}");
        Assert.Equal(200, response.Status);
        Assert.All(response.Body, b => Assert.True(b < 0x80));
        Assert.Contains("\"subject\":\"\\u043a\\u043b\\u044e\\u0447 \\u0001 \\ud83d\\ude00 \\\" \\\\ <&>+\"", response.BodyText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Oversize_body_is_rejected_before_dispatch_with_encoding_from_json_flag_only()
    {
        var big = new string('a', 5000);
        var withFlag = await Post("/EchoQuote?json", null, big);
        Assert.Equal(400, withFlag.Status);
        Assert.Equal("{\n  \"error\": \"payload too large\"\n}", withFlag.BodyText);

        // JSON content type but no ?json: dstack encodes pre-dispatch errors as protobuf.
        var withContentType = await Post("/EchoQuote", "application/json", big);
        Assert.Equal(400, withContentType.Status);
        Assert.Equal("payload too large", RpcError.Parser.ParseFrom(withContentType.Body).Message);
    }

    [Fact]
    public async Task Oversize_chunked_body_is_rejected()
    {
        var head = "POST /EchoQuote?json HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n";
        var chunk = "1388\r\n" + new string('a', 5000) + "\r\n0\r\n\r\n";
        var response = await RawHttp.SendAsync(_agent.DstackSocket, Encoding.ASCII.GetBytes(head + chunk));
        Assert.Equal(400, response.Status);
        Assert.Contains("payload too large", response.BodyText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Js_client_short_content_length_gets_a_json_error_and_a_closed_connection()
    {
        // The JS SDK sends Content-Length = string.length (UTF-16 units) rather than the UTF-8 byte count.
        var json = "{\"subject\":\"ключ\"}";
        var bytes = Encoding.UTF8.GetBytes(json);
        var head = $"POST /EchoTlsArgs HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: {json.Length}\r\n\r\n";
        var response = await RawHttp.SendAsync(_agent.DstackSocket, [.. Encoding.ASCII.GetBytes(head), .. bytes]);
        Assert.Equal(400, response.Status);
        Assert.Contains("invalid JSON", response.BodyText, StringComparison.Ordinal);
        Assert.True(response.ConnectionClosed);
    }

    [Fact]
    public async Task Half_closed_client_with_an_incomplete_request_is_disconnected()
    {
        using var socket = await RawHttp.ConnectAsync(_agent.DstackSocket);
        await socket.SendAsync(Encoding.ASCII.GetBytes("POST /Version HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100\r\n\r\n{"));
        socket.Shutdown(System.Net.Sockets.SocketShutdown.Send);
        var buffer = new byte[4096];
        int read;
        var total = 0;
        while ((read = await socket.ReceiveAsync(buffer)) > 0)
        {
            total += read;
        }

        Assert.True(total >= 0);
    }

    [Fact]
    public async Task Keep_alive_serves_several_requests_on_one_connection()
    {
        using var socket = await RawHttp.ConnectAsync(_agent.DstackSocket);
        for (var i = 0; i < 3; i++)
        {
            await socket.SendAsync(RawHttp.Request("GET", "/Version"));
            var response = await RawHttp.ReadResponseAsync(socket);
            Assert.Equal(200, response.Status);
        }
    }

    [Fact]
    public async Task HttpClient_over_unix_socket_works()
    {
        using var client = _agent.CreateClient();
        using var content = new StringContent("{\"report_data\":\"ff\"}", Encoding.UTF8, "application/json");
        using var response = await client.PostAsync(new Uri("/EchoQuote", UriKind.Relative), content);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.NotNull(response.Content.Headers.ContentLength);
        Assert.Contains("\"report_data\":\"ff\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
