namespace Micro.Transport;

/// <summary>A transport that can also carry streams: many messages each way on one call, with flow control.</summary>
public interface IStreamingTransport : ITransport
{
    /// <summary>Opens a stream to the node at <paramref name="address"/>; <paramref name="headers"/> say what is called.</summary>
    ValueTask<ITransportStream> OpenStreamAsync(string address, Dictionary<string, string> headers, CancellationToken cancellationToken = default);
}

/// <summary>What a server gives a streaming transport: handles one stream until it ends.</summary>
public interface ITransportStreamHandler
{
    ValueTask HandleStreamAsync(ITransportStream stream, TransportPeer peer, CancellationToken cancellationToken);
}

/// <summary>
/// One stream, either end. Sending waits while the peer has no room (credit-based flow control), so a slow reader slows
/// the writer instead of making anything buffer without bound. Disposing before the end cancels the stream on both sides.
/// </summary>
public interface ITransportStream : IAsyncDisposable
{
    /// <summary>The headers the stream was opened with (server side: the request's).</summary>
    IReadOnlyDictionary<string, string> Headers { get; }

    ValueTask SendAsync(ReadOnlyMemory<byte> body, CancellationToken cancellationToken = default);

    /// <summary>Ends this side's messages; <paramref name="error"/> (error JSON) ends the stream as failed.</summary>
    ValueTask CompleteAsync(string? error = null, CancellationToken cancellationToken = default);

    /// <summary>The next message, or null once the peer completed. A peer's error throws its <see cref="MicroException"/>.</summary>
    ValueTask<ReadOnlyMemory<byte>?> ReceiveAsync(CancellationToken cancellationToken = default);
}
