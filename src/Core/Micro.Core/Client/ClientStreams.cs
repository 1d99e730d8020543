using Micro.Transport;

namespace Micro.Client;

/// <summary>Opens streams: to the node the selector picks (or the given address), over the transport that node listens on.</summary>
internal sealed class ClientStreams(NodeResolver resolver)
{
    public async ValueTask<MicroStream> OpenAsync(MicroRequest request, CallOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (address, _, transport) = await resolver.ResolveAsync(request.Service, options, null, cancellationToken).ConfigureAwait(false);
        var stream = await transport.OpenStreamAsync(address, RequestHeaders.ForStream(request, options), cancellationToken).ConfigureAwait(false);
        // The caller's cancellation ends the stream on both sides.
        var registration = cancellationToken.UnsafeRegister(static s => _ = ((ITransportStream)s!).DisposeAsync().AsTask(), stream);
        return new MicroStream(stream, request.ContentType, registration);
    }
}
