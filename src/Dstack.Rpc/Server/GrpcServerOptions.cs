namespace Dstack.Rpc.Server;

/// <summary>Limits and behaviour of the gRPC server transport.</summary>
public sealed class GrpcServerOptions
{
    /// <summary>The default receive limit, 4 MiB, as in other gRPC implementations.</summary>
    public const int DefaultMaxReceiveMessageSize = 4 * 1024 * 1024;

    /// <summary>Largest request message accepted; larger ones end the call with RESOURCE_EXHAUSTED.</summary>
    public int MaxReceiveMessageSize { get; set; } = DefaultMaxReceiveMessageSize;

    /// <summary>Largest response message sent; larger ones end the call with RESOURCE_EXHAUSTED.</summary>
    public int MaxSendMessageSize { get; set; } = int.MaxValue - GrpcFramingHeaderSize;

    /// <summary>
    /// When true, the message of an unexpected handler exception is sent to the caller with UNKNOWN; by default the
    /// caller sees only a generic message and the exception goes to the log.
    /// </summary>
    public bool IncludeExceptionDetails { get; set; }

    /// <summary>The clock used for deadlines.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    private const int GrpcFramingHeaderSize = 5;

    internal void Validate()
    {
        if (MaxReceiveMessageSize < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxReceiveMessageSize), MaxReceiveMessageSize, "must not be negative");
        }

        if (MaxSendMessageSize < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxSendMessageSize), MaxSendMessageSize, "must not be negative");
        }

        ArgumentNullException.ThrowIfNull(TimeProvider);
    }
}
