using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Globalization;
using Google.Protobuf;

namespace Dstack.Rpc.Protocol;

/// <summary>
/// The gRPC message framing: each message is a 1-byte compressed flag, a 4-byte big-endian length, then the
/// serialized message. Only uncompressed messages (flag 0) are supported.
/// </summary>
internal static class GrpcFraming
{
    /// <summary>The size of the frame header.</summary>
    public const int HeaderSize = 5;

    /// <summary>Serializes a message into one frame; RESOURCE_EXHAUSTED when it is larger than <paramref name="maxMessageSize"/>.</summary>
    public static byte[] Frame(IMessage message, int maxMessageSize)
    {
        ArgumentNullException.ThrowIfNull(message);
        var size = message.CalculateSize();
        if (size > maxMessageSize)
        {
            throw new RpcException(
                StatusCode.ResourceExhausted,
                string.Create(CultureInfo.InvariantCulture, $"Sending message of {size} bytes exceeds the limit of {maxMessageSize} bytes"));
        }

        var frame = new byte[HeaderSize + size];
        WriteHeader(frame, size);
        message.WriteTo(frame.AsSpan(HeaderSize));
        return frame;
    }

    /// <summary>Writes an uncompressed frame header for a payload of <paramref name="length"/> bytes.</summary>
    public static void WriteHeader(Span<byte> destination, int length)
    {
        destination[0] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(destination[1..], checked((uint)length));
    }

    /// <summary>
    /// Takes one complete frame from the front of <paramref name="buffer"/>. False when the buffer holds only part of
    /// a frame (read more). Throws RESOURCE_EXHAUSTED as soon as a header announces a message above the limit,
    /// UNIMPLEMENTED for a compressed message, INTERNAL for an invalid flag.
    /// </summary>
    public static bool TryReadFrame(ref ReadOnlySequence<byte> buffer, int maxMessageSize, out ReadOnlySequence<byte> payload)
    {
        payload = default;
        if (buffer.Length < HeaderSize)
        {
            return false;
        }

        Span<byte> header = stackalloc byte[HeaderSize];
        buffer.Slice(0, HeaderSize).CopyTo(header);
        switch (header[0])
        {
            case 0:
                break;
            case 1:
                throw new RpcException(
                    StatusCode.Unimplemented,
                    "Compressed messages are not supported; only the identity encoding is");
            default:
                throw new RpcException(
                    StatusCode.Internal,
                    string.Create(CultureInfo.InvariantCulture, $"Invalid compressed flag {header[0]} in a message frame"));
        }

        var length = BinaryPrimitives.ReadUInt32BigEndian(header[1..]);
        if (length > (uint)maxMessageSize)
        {
            throw new RpcException(
                StatusCode.ResourceExhausted,
                string.Create(CultureInfo.InvariantCulture, $"Received message of {length} bytes exceeds the limit of {maxMessageSize} bytes"));
        }

        if (buffer.Length - HeaderSize < length)
        {
            return false;
        }

        payload = buffer.Slice(HeaderSize, length);
        buffer = buffer.Slice(HeaderSize + (long)length);
        return true;
    }

    /// <summary>
    /// Reads the single message of a unary request or response up to the end of the stream. Null when the stream held
    /// no message at all; INTERNAL for a second message or a truncated frame.
    /// </summary>
    public static async ValueTask<byte[]?> ReadSingleMessageAsync(PipeReader reader, int maxMessageSize, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reader);
        byte[]? message = null;
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            var consumed = false;
            try
            {
                while (TryReadFrame(ref buffer, maxMessageSize, out var payload))
                {
                    if (message is not null)
                    {
                        throw new RpcException(StatusCode.Internal, "More than one message in a unary call");
                    }

                    message = payload.ToArray();
                }

                if (result.IsCompleted)
                {
                    if (!buffer.IsEmpty)
                    {
                        throw new RpcException(
                            StatusCode.Internal,
                            string.Create(CultureInfo.InvariantCulture, $"Incomplete message frame: the stream ended with {buffer.Length} bytes of a frame"));
                    }

                    reader.AdvanceTo(buffer.End);
                    consumed = true;
                    return message;
                }

                if (result.IsCanceled)
                {
                    throw new OperationCanceledException(cancellationToken);
                }
            }
            finally
            {
                if (!consumed)
                {
                    reader.AdvanceTo(buffer.Start, buffer.End);
                }
            }
        }
    }
}
