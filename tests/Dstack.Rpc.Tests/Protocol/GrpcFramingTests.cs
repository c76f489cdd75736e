using System.Buffers;
using System.IO.Pipelines;
using Dstack.Rpc.Kms;
using Dstack.Rpc.Protocol;
using Dstack.Rpc.Tests.Support;

namespace Dstack.Rpc.Tests.Protocol;

public sealed class GrpcFramingTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public void Frame_writes_flag_zero_big_endian_length_and_the_message()
    {
        var message = new GetAppKeyRequest { ApiVersion = 1, VmConfig = "abc" };
        var frame = GrpcFraming.Frame(message, 1024);
        var body = message.ToByteArrayForTest();
        Assert.Equal(new byte[] { 0, 0, 0, 0, (byte)body.Length }, frame[..5]);
        Assert.Equal(body, frame[5..]);
    }

    [Fact]
    public void Frame_of_a_message_above_the_send_limit_is_resource_exhausted()
    {
        var message = new GetAppKeyRequest { VmConfig = new string('x', 100) };
        var e = Assert.Throws<RpcException>(() => GrpcFraming.Frame(message, 50));
        Assert.Equal(StatusCode.ResourceExhausted, e.StatusCode);
    }

    [Fact]
    public async Task A_whole_frame_in_one_read_gives_the_message()
    {
        var message = new GetAppKeyRequest { ApiVersion = 7, VmConfig = "hello" };
        var payload = await ReadAsync([GrpcFraming.Frame(message, 1024)]);
        Assert.Equal(message, GetAppKeyRequest.Parser.ParseFrom(payload));
    }

    [Fact]
    public async Task A_frame_written_one_byte_at_a_time_gives_the_message()
    {
        var frame = GrpcFraming.Frame(new GetAppKeyRequest { VmConfig = new string('y', 300) }, 4096);
        var chunks = frame.Select(b => new[] { b }).ToArray();
        var payload = await ReadAsync(chunks);
        Assert.Equal(frame[5..], payload);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(40)]
    public async Task A_frame_split_across_reads_gives_the_message(int splitAt)
    {
        var frame = GrpcFraming.Frame(new GetAppKeyRequest { ApiVersion = 3, VmConfig = new string('z', 64) }, 4096);
        var payload = await ReadAsync([frame[..splitAt], frame[splitAt..]]);
        Assert.Equal(frame[5..], payload);
    }

    [Fact]
    public async Task A_zero_length_message_is_an_empty_message_not_a_missing_one()
    {
        var payload = await ReadAsync([[0, 0, 0, 0, 0]]);
        Assert.NotNull(payload);
        Assert.Empty(payload);
        Assert.Equal(new GetAppKeyRequest(), GetAppKeyRequest.Parser.ParseFrom(payload));
    }

    [Fact]
    public async Task An_empty_stream_has_no_message()
    {
        Assert.Null(await ReadAsync([]));
    }

    [Fact]
    public async Task A_length_above_the_limit_is_resource_exhausted_before_the_payload_arrives()
    {
        // Only the header is ever written: the reader must refuse without waiting for 1 MiB of payload.
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(new byte[] { 0, 0, 0x10, 0, 0 });
        var e = await Assert.ThrowsAsync<RpcException>(async () =>
            await GrpcFraming.ReadSingleMessageAsync(pipe.Reader, 1024, CancellationToken.None).AsTask().WaitAsync(Timeout));
        Assert.Equal(StatusCode.ResourceExhausted, e.StatusCode);
    }

    [Fact]
    public async Task A_length_equal_to_the_limit_is_accepted()
    {
        var frame = new byte[5 + 16];
        GrpcFraming.WriteHeader(frame, 16);
        var payload = await ReadAsync([frame], maxMessageSize: 16);
        Assert.Equal(16, payload!.Length);
    }

    [Fact]
    public async Task A_truncated_payload_is_internal()
    {
        var e = await Assert.ThrowsAsync<RpcException>(() => ReadAsync([[0, 0, 0, 0, 10, 1, 2, 3, 4]]));
        Assert.Equal(StatusCode.Internal, e.StatusCode);
    }

    [Fact]
    public async Task A_truncated_header_is_internal()
    {
        var e = await Assert.ThrowsAsync<RpcException>(() => ReadAsync([[0, 0, 0]]));
        Assert.Equal(StatusCode.Internal, e.StatusCode);
    }

    [Fact]
    public async Task A_second_message_in_a_unary_call_is_internal()
    {
        var e = await Assert.ThrowsAsync<RpcException>(() => ReadAsync([[0, 0, 0, 0, 0, 0, 0, 0, 0, 0]]));
        Assert.Equal(StatusCode.Internal, e.StatusCode);
    }

    [Fact]
    public async Task A_compressed_message_is_unimplemented()
    {
        var e = await Assert.ThrowsAsync<RpcException>(() => ReadAsync([[1, 0, 0, 0, 1, 0]]));
        Assert.Equal(StatusCode.Unimplemented, e.StatusCode);
    }

    [Fact]
    public async Task An_invalid_compressed_flag_is_internal()
    {
        var e = await Assert.ThrowsAsync<RpcException>(() => ReadAsync([[2, 0, 0, 0, 0]]));
        Assert.Equal(StatusCode.Internal, e.StatusCode);
    }

    [Fact]
    public void TryReadFrame_leaves_the_rest_of_the_buffer()
    {
        var buffer = new ReadOnlySequence<byte>(new byte[] { 0, 0, 0, 0, 2, 9, 8, 0, 0 });
        Assert.True(GrpcFraming.TryReadFrame(ref buffer, 10, out var payload));
        Assert.Equal(new byte[] { 9, 8 }, payload.ToArray());
        Assert.Equal(2, buffer.Length);
        Assert.False(GrpcFraming.TryReadFrame(ref buffer, 10, out _));
    }

    private static async Task<byte[]?> ReadAsync(byte[][] chunks, int maxMessageSize = 1024 * 1024)
    {
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 0));
        var read = GrpcFraming.ReadSingleMessageAsync(pipe.Reader, maxMessageSize, CancellationToken.None).AsTask();
        foreach (var chunk in chunks)
        {
            await pipe.Writer.WriteAsync(chunk);
            await Task.Yield();
        }

        await pipe.Writer.CompleteAsync();
        return await read.WaitAsync(Timeout);
    }
}
