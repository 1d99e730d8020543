namespace Micro.Transport.Tcp;

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
