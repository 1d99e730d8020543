namespace Micro.Transport;

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
