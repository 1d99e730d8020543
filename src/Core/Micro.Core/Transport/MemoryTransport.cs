namespace Micro.Transport;

/// <summary>
/// An in-process transport for tests: requests go straight to the listener's handler. Transports created with the same
/// <see cref="MemoryNetwork"/> reach each other.
/// </summary>
public sealed class MemoryTransport(MemoryNetwork? network = null) : ITransport
{
    private readonly MemoryNetwork _network = network ?? MemoryNetwork.Shared;

    public string Name => "memory";

    public ValueTask<ITransportListener> ListenAsync(string address, ITransportHandler handler, CancellationToken cancellationToken = default)
    {
        var bound = address.EndsWith(":0", StringComparison.Ordinal) || address.Length == 0
            ? $"memory:{Interlocked.Increment(ref _network.NextPort)}"
            : address;
        if (!_network.Listeners.TryAdd(bound, handler))
        {
            throw new InvalidOperationException($"Cannot listen on {bound}: address already in use.");
        }

        return ValueTask.FromResult<ITransportListener>(new Listener(_network, bound));
    }

    /// <summary>A pair of <see cref="MessageStream"/>s handing each op straight to the other (copied, as over a wire).</summary>
    public ValueTask<ITransportStream> OpenStreamAsync(string address, IReadOnlyDictionary<string, string> headers, CancellationToken cancellationToken = default)
    {
        if (!_network.Listeners.TryGetValue(address, out var handler))
        {
            throw new MicroException("go.micro.transport", 500, $"dial memory {address}: connection refused") { IsTransportError = true };
        }

        MessageStream? server = null;
        var id = Guid.NewGuid().ToString("N");
        var client = new MessageStream((_, op, body, h) => Deliver(server, op, body, h), id, address, headers, static _ => { });
        var openHeaders = new Dictionary<string, string>(headers, StringComparer.OrdinalIgnoreCase);
        server = MessageStream.Serve(handler, (_, op, body, h) => Deliver(client, op, body, h), id, "memory", openHeaders, new TransportPeer(address, "memory"), static _ => { });
        return ValueTask.FromResult<ITransportStream>(client);
    }

    private static Task Deliver(MessageStream? to, string op, ReadOnlyMemory<byte> body, Dictionary<string, string> headers)
    {
        to?.OnMessage(op, new Dictionary<string, string>(headers, StringComparer.OrdinalIgnoreCase), body.ToArray());
        return Task.CompletedTask;
    }

    public async ValueTask<TransportMessage> RequestAsync(string address, TransportMessage request, CancellationToken cancellationToken = default)
    {
        if (!_network.Listeners.TryGetValue(address, out var handler))
        {
            throw new MicroException("go.micro.transport", 500, $"dial memory {address}: connection refused") { IsTransportError = true };
        }

        // Copy headers so neither side sees the other's later changes, as over a real wire.
        var copy = new TransportMessage(new Dictionary<string, string>(request.Headers, StringComparer.OrdinalIgnoreCase), request.Body.ToArray());
        var response = await handler.HandleAsync(copy, new TransportPeer(address, "memory"), cancellationToken).ConfigureAwait(false);
        return new TransportMessage(new Dictionary<string, string>(response.Headers, StringComparer.OrdinalIgnoreCase), response.Body.ToArray());
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private sealed class Listener(MemoryNetwork network, string address) : ITransportListener
    {
        public string Address => address;

        public ValueTask StopAcceptingAsync()
        {
            network.Listeners.TryRemove(address, out _);
            return ValueTask.CompletedTask;
        }

        public ValueTask DisposeAsync() => StopAcceptingAsync();
    }
}
