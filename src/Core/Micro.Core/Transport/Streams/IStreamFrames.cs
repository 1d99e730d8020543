namespace Micro.Transport;

/// <summary>
/// The one thing a transport gives the <see cref="StreamEngine"/>: how each kind of frame reaches the peer (a tcp frame,
/// a NATS or RabbitMQ message, a WebSocket message, a hand-off in memory). A sender that can no longer reach the peer
/// (its connection closed) drops credit and cancel frames quietly.
/// </summary>
internal interface IStreamFrames
{
    ValueTask SendDataAsync(ReadOnlyMemory<byte> body, CancellationToken cancellationToken);

    /// <summary>The end of this side's messages; <paramref name="error"/> (error JSON) ends the stream as failed.</summary>
    ValueTask SendEndAsync(string? error);

    /// <summary>Room for <paramref name="messages"/> more messages.</summary>
    ValueTask SendCreditAsync(int messages);

    ValueTask SendCancelAsync();
}
