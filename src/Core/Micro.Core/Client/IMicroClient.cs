namespace Micro.Client;

/// <summary>Calls services: finds a node through the selector and sends the request over the transport.</summary>
public interface IMicroClient
{
    /// <summary>Sends an encoded request and returns the encoded response; errors throw <see cref="MicroException"/>.</summary>
    ValueTask<MicroResponse> CallAsync(MicroRequest request, CallOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Typed call: encodes <paramref name="request"/> with the default content type and decodes the reply.</summary>
    ValueTask<TResponse> CallAsync<TRequest, TResponse>(string service, string endpoint, TRequest request, CallOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Opens a stream to a stream endpoint (<c>stream: true</c>); <paramref name="request"/>'s body is ignored: send messages
    /// on the returned stream. Cancelling <paramref name="cancellationToken"/> cancels the stream on both sides.
    /// </summary>
    ValueTask<MicroStream> OpenStreamAsync(MicroRequest request, CallOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Publishes an encoded event through the broker.</summary>
    ValueTask PublishAsync(MicroMessage message, PublishOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Typed publish: encodes <paramref name="message"/> with the default content type.</summary>
    ValueTask PublishAsync<TMessage>(string topic, TMessage message, PublishOptions? options = null, CancellationToken cancellationToken = default);
}
