using Micro.Selector;
using Micro.Transport;

namespace Micro.Client;

/// <summary>Opens streams: to the node the selector picks (or the given address), over the transport that node listens on.</summary>
internal sealed class ClientStreams(NodeResolver resolver, TimeProvider time)
{
    public async ValueTask<MicroStream> OpenAsync(MicroRequest request, CallOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var target = await resolver.ResolveAsync(request.Service, options, null, cancellationToken).ConfigureAwait(false);
        var started = time.GetTimestamp();
        ITransportStream stream;
        try
        {
            stream = await target.Transport.OpenStreamAsync(target.Address, RequestHeaders.ForStream(request, options), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // Opening is the attempt the selector learns from (whether the node could be reached), not the stream's life.
            var outcome = e is not MicroException m ? NodeOutcome.Abandoned
                : m.Code == 503 && !m.IsTransportError ? NodeOutcome.Refused
                : m.IsTransportError || m.Code is 408 or >= 500 ? NodeOutcome.Failure : NodeOutcome.Success;
            resolver.Report(request.Service, target, outcome, time.GetElapsedTime(started));
            throw;
        }

        resolver.Report(request.Service, target, NodeOutcome.Success, time.GetElapsedTime(started));
        // The caller's cancellation ends the stream on both sides.
        var registration = cancellationToken.UnsafeRegister(static s => _ = ((ITransportStream)s!).DisposeAsync().AsTask(), stream);
        return new MicroStream(stream, request.ContentType, registration);
    }
}
