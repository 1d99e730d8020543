using System.Runtime.CompilerServices;
using Micro.Codec;
using Micro.Transport;

namespace Micro.Client;

/// <summary>
/// A stream to a service endpoint, raw: send messages, complete, read replies. Disposing before the end cancels the
/// stream on both sides (the server's handler sees its token cancelled).
/// </summary>
public sealed class MicroStream(ITransportStream stream, string contentType, CancellationTokenRegistration cancellation) : IAsyncDisposable
{
    public string ContentType { get; } = contentType;

    public ValueTask SendAsync(ReadOnlyMemory<byte> body, CancellationToken cancellationToken = default) => stream.SendAsync(body, cancellationToken);

    /// <summary>No more messages from this side; the server may still be sending.</summary>
    public ValueTask CompleteAsync(CancellationToken cancellationToken = default) => stream.CompleteAsync(null, cancellationToken);

    /// <summary>The next reply, or null at the end; a failure ends it with the server's <see cref="MicroException"/>.</summary>
    public ValueTask<ReadOnlyMemory<byte>?> ReceiveAsync(CancellationToken cancellationToken = default) => stream.ReceiveAsync(cancellationToken);

    public async IAsyncEnumerable<ReadOnlyMemory<byte>> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        while (await stream.ReceiveAsync(cancellationToken).ConfigureAwait(false) is { } body)
        {
            yield return body;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await cancellation.DisposeAsync().ConfigureAwait(false);
        await stream.DisposeAsync().ConfigureAwait(false);
    }
}

/// <summary>A typed stream: send <typeparamref name="TRequest"/>s, read <typeparamref name="TResponse"/>s.</summary>
public sealed class MicroStream<TRequest, TResponse>(MicroStream stream, ICodec codec) : IAsyncDisposable
{
    public ValueTask SendAsync(TRequest message, CancellationToken cancellationToken = default) => stream.SendAsync(codec.Encode(message), cancellationToken);

    public ValueTask CompleteAsync(CancellationToken cancellationToken = default) => stream.CompleteAsync(cancellationToken);

    public async IAsyncEnumerable<TResponse> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var body in stream.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return codec.Decode<TResponse>(body);
        }
    }

    public ValueTask DisposeAsync() => stream.DisposeAsync();
}
