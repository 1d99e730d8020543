namespace Micro.Transport;

/// <summary>
/// Handles one stream until it ends: the stream half of <see cref="ITransportHandler"/>, and all that a stream-only
/// endpoint (the proxy's WebSocket streams) needs.
/// </summary>
public interface ITransportStreamHandler
{
    ValueTask HandleStreamAsync(ITransportStream stream, TransportPeer peer, CancellationToken cancellationToken);
}
