namespace Micro.Transport.Tcp;

/// <summary>The kinds of frame on a tcp connection. Values are wire values.</summary>
internal enum FrameType : byte
{
    Request = 1,
    Response = 2,
    /// <summary>The client abandoned request or stream <c>id</c>: the server cancels its handler.</summary>
    Cancel = 3,
    /// <summary>Opens stream <c>id</c>; headers say what is called.</summary>
    StreamOpen = 4,
    /// <summary>One message of stream <c>id</c>.</summary>
    StreamData = 5,
    /// <summary>The sender has no more messages on stream <c>id</c>; a <c>Micro-Error</c> header fails the stream.</summary>
    StreamEnd = 6,
    /// <summary>The receiver has room for more: body = u32 messages.</summary>
    StreamCredit = 7,
}

/// <summary>One decoded frame. <see cref="Body"/> is a copy the receiver owns.</summary>
internal readonly record struct Frame(FrameType Type, uint Id, Dictionary<string, string>? Headers, ReadOnlyMemory<byte> Body);

internal enum DecodeStatus
{
    /// <summary>Not enough bytes yet; read more.</summary>
    Incomplete,
    Complete,
    /// <summary>The bytes cannot be a frame; the connection must close.</summary>
    Malformed,
    /// <summary>The frame declares a size over the limit; the connection must close.</summary>
    Oversized,
    /// <summary>A whole frame, consumed, whose headers break a limit: answer its sender; the connection stays open.</summary>
    Refused,
}

/// <summary>What one frame may hold (from <see cref="TransportOptions"/>).</summary>
internal readonly record struct FrameLimits(int MaxMessageSize, int MaxHeaderCount, int MaxHeaderBytes)
{
    /// <summary>Reply bytes queued for one connection before its reading pauses (server side; 0: never pauses).</summary>
    public long MaxQueuedBytes { get; init; }

    /// <summary>How long a started frame may take to arrive (infinite: no limit).</summary>
    public TimeSpan FrameReadTimeout { get; init; } = Timeout.InfiniteTimeSpan;

    public static FrameLimits From(TransportOptions options)
        => new(options.MaxMessageSize, options.MaxHeaderCount, options.MaxHeaderBytes) { FrameReadTimeout = options.FrameReadTimeout };

    /// <summary>A server's limits: reading pauses while replies are backlogged.</summary>
    public static FrameLimits ForServer(TransportOptions options)
        => From(options) with { MaxQueuedBytes = Math.Max(options.MaxQueuedBytes, 2L * options.MaxMessageSize) };

    /// <summary>Only the size limit (the header limits at what the wire format can hold).</summary>
    public static FrameLimits Size(int maxMessageSize) => new(maxMessageSize, ushort.MaxValue, int.MaxValue);
}
