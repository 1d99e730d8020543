using Micro.Codec;
using Micro.Transport;

namespace Micro.Server;

/// <summary>
/// The <c>route</c> stage: opens the RPC envelope when the content type has one (json-rpc, proto-rpc: the method may
/// be inside), finds the endpoint's handler, picks the codecs (Content-Type to decode, Accept or Content-Type to reply)
/// and sets <see cref="CallContext.Current"/> for the stages and the endpoint after it.
/// </summary>
internal sealed class RouteStage(RequestHandler next, EndpointTable endpoints, CodecRegistry codecs)
{
    public ValueTask<ServerResponse> InvokeAsync(ServerRequest request, CancellationToken cancellationToken)
    {
        var endpoint = request.Endpoint;
        var envelope = request.Envelope;
        if (envelope is not null)
        {
            var rpc = envelope.UnwrapRequest(request.Body);
            request.Rpc = rpc;
            request.Body = rpc.Inner;
            if (endpoint.Length == 0)
            {
                endpoint = rpc.Method;
            }
        }

        request.Handler = endpoints.Find(endpoint);
        var codec = codecs.Get(request.ContentType);
        var replyCodec = envelope is null && request.Headers.TryGetValue(MicroHeaders.Accept, out var accept) && codecs.TryGet(accept, out var a) ? a : codec;
        request.Route(endpoint, codec, replyCodec);

        // Set here, in the caller's flow, so later stages, user middleware and the endpoint all see it; the server's
        // async frame around the pipeline keeps it from leaking to the next request.
        CallContext.Current = request.Context;
        return next(request, cancellationToken);
    }
}
