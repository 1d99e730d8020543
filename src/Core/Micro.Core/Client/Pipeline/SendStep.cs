using System.Runtime.CompilerServices;
using Micro.Codec;
using Micro.Transport;

namespace Micro.Client;

/// <summary>
/// The end of the client pipeline: the request's headers, the RPC envelope when the content type has one, the transport's
/// request to <see cref="ClientCall.Target"/>, and the reply, whose error (in <c>Micro-Error</c> or the envelope) is thrown.
/// </summary>
internal sealed class SendStep(string? fromService, TimeProvider time)
{
    private long _sequence;

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<MicroResponse> SendAsync(ClientCall call, CancellationToken cancellationToken)
    {
        var target = call.Target ?? throw new InvalidOperationException(
            "No stage chose a node for this call: the client pipeline needs its select stage, or a stage of its own that sets ClientCall.Target.");
        var request = call.Request;
        var message = new TransportMessage(RequestHeaders.ForCall(request, call.Options, call.AttemptDeadline ?? call.Deadline, fromService, time));
        var envelope = RpcEnvelope.For(request.ContentType);
        message.Body = envelope is null ? request.Body : envelope.WrapRequest(request.Endpoint, (ulong)Interlocked.Increment(ref _sequence), request.Body);
        var reply = await target.Transport.RequestAsync(target.Address, message, cancellationToken).ConfigureAwait(false);
        call.Answered = true;

        var replyBody = reply.Body;
        if (envelope is not null && RpcEnvelope.For(reply.Header(MicroHeaders.ContentType)) is not null && !reply.Headers.ContainsKey(MicroHeaders.Error))
        {
            (replyBody, var enveloped) = envelope.UnwrapResponse(reply.Body);
            if (enveloped is not null)
            {
                reply.HeaderMap[MicroHeaders.Error] = enveloped; // a peer that reports errors only inside the envelope
            }
        }

        if (reply.Headers.TryGetValue(MicroHeaders.Error, out var errorJson) && errorJson.Length > 0)
        {
            throw MicroException.Parse(errorJson);
        }

        return new MicroResponse(replyBody, envelope?.InnerContentType ?? reply.Header(MicroHeaders.ContentType) ?? request.ContentType, ResponseMetadata(reply.HeaderMap));
    }

    /// <summary>The caller sees everything the server sent except the protocol's own headers.</summary>
    private static Dictionary<string, string> ResponseMetadata(Dictionary<string, string> headers)
    {
        var metadata = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (k, v) in headers)
        {
            if (!MicroHeaders.IsProtocolHeader(k))
            {
                metadata[k] = v;
            }
        }

        return metadata;
    }
}
