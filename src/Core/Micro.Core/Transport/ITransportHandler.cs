namespace Micro.Transport;

/// <summary>What a server gives a transport: handles one request, and one stream, honouring cancellation.</summary>
public interface ITransportHandler : ITransportStreamHandler
{
    ValueTask<TransportMessage> HandleAsync(TransportMessage request, TransportPeer peer, CancellationToken cancellationToken);
}
