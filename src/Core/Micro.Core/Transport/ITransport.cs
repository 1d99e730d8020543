namespace Micro.Transport;

/// <summary>Point-to-point request/response messages between a client and a server node.</summary>
public interface ITransport : IAsyncDisposable
{
    /// <summary>The name used to select this transport by configuration and advertised in node metadata (<c>tcp</c>, <c>memory</c>).</summary>
    string Name { get; }

    /// <summary>Starts accepting requests on <paramref name="address"/> (<c>host:port</c>; port 0 picks a free one).</summary>
    ValueTask<ITransportListener> ListenAsync(string address, ITransportHandler handler, CancellationToken cancellationToken = default);

    /// <summary>
    /// Sends a request to the node at <paramref name="address"/> and waits for its response.
    /// Cancelling <paramref name="cancellationToken"/> abandons the call and tells the server to cancel its handler.
    /// Failures to reach the node throw a <see cref="MicroException"/> with <see cref="MicroException.IsTransportError"/> set.
    /// </summary>
    ValueTask<TransportMessage> RequestAsync(string address, TransportMessage request, CancellationToken cancellationToken = default);

    /// <summary>
    /// Opens a stream to the node at <paramref name="address"/> (many messages each way, with flow control);
    /// <paramref name="headers"/> say what is called. A transport that cannot carry streams throws a 501
    /// <see cref="MicroException"/> saying so.
    /// </summary>
    ValueTask<ITransportStream> OpenStreamAsync(string address, IReadOnlyDictionary<string, string> headers, CancellationToken cancellationToken = default);
}
