using System.Runtime.CompilerServices;
using Micro.Codec;

namespace Micro.Client;

/// <summary>Typed streaming on top of <see cref="IMicroClient.OpenStreamAsync"/>.</summary>
public static class MicroClientStreamExtensions
{
    /// <summary>Server streaming: one request, the replies as they come.</summary>
    public static async IAsyncEnumerable<TResponse> StreamAsync<TRequest, TResponse>(this IMicroClient client, string service, string endpoint, TRequest request,
        CallOptions? options = null, string contentType = JsonCodec.MediaType, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var reply in client.StreamAsync<TRequest, TResponse>(service, endpoint, request, CodecRegistry.Default.Get(contentType), options, cancellationToken).ConfigureAwait(false))
        {
            yield return reply;
        }
    }

    /// <summary>Server streaming with messages encoded by <paramref name="codec"/> (a contract's own JSON context, for one).</summary>
    public static async IAsyncEnumerable<TResponse> StreamAsync<TRequest, TResponse>(this IMicroClient client, string service, string endpoint, TRequest request,
        ICodec codec, CallOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await using var stream = await client.OpenStreamAsync<TRequest, TResponse>(service, endpoint, codec, options, cancellationToken).ConfigureAwait(false);
        await stream.SendAsync(request, cancellationToken).ConfigureAwait(false);
        await stream.CompleteAsync(cancellationToken).ConfigureAwait(false);
        await foreach (var reply in stream.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return reply;
        }
    }

    /// <summary>Client or bidirectional streaming: send requests, read replies, in any interleaving.</summary>
    public static async ValueTask<MicroStream<TRequest, TResponse>> OpenStreamAsync<TRequest, TResponse>(this IMicroClient client, string service, string endpoint,
        CallOptions? options = null, string contentType = JsonCodec.MediaType, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        return await client.OpenStreamAsync<TRequest, TResponse>(service, endpoint, CodecRegistry.Default.Get(contentType), options, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>As above, with messages encoded by <paramref name="codec"/> (a contract's own JSON context, for one).</summary>
    public static async ValueTask<MicroStream<TRequest, TResponse>> OpenStreamAsync<TRequest, TResponse>(this IMicroClient client, string service, string endpoint,
        ICodec codec, CallOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(codec);
        var stream = await client.OpenStreamAsync(new MicroRequest(service, endpoint, default, codec.ContentType), options, cancellationToken).ConfigureAwait(false);
        return new MicroStream<TRequest, TResponse>(stream, codec);
    }
}
