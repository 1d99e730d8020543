using Micro.Codec;
using Micro.Transport;

namespace Micro.Server;

/// <summary>The reply message for a request: its body (in the RPC envelope when the request had one), or its error in Micro-Error (and in the envelope).</summary>
internal static class ServerReplies
{
    public static TransportMessage To(ServerRequest request, string? id, ServerResponse response)
    {
        var envelope = request.Envelope;
        if (response.Error is { } error)
        {
            return envelope is null
                ? Reply(id, request.ReplyContentType, default, null, error)
                : Reply(id, envelope.ContentType, envelope.WrapResponse(request.Rpc ?? new RpcRequestEnvelope("", "null", 0, default), default, error.ToJson()), null, error);
        }

        var metadata = request.Context.ResponseMetadataIfAny;
        return envelope is null
            ? Reply(id, response.ContentType, response.Body, metadata, null)
            : Reply(id, envelope.ContentType, envelope.WrapResponse(request.Rpc!, response.Body, null), metadata, null);
    }

    private static TransportMessage Reply(string? id, string contentType, ReadOnlyMemory<byte> body, Dictionary<string, string>? metadata, MicroException? error)
    {
        var headers = TransportMessage.NewHeaders(3 + (metadata?.Count ?? 0));
        if (metadata is not null)
        {
            foreach (var (k, v) in metadata)
            {
                headers[k] = v;
            }
        }

        headers[MicroHeaders.ContentType] = contentType;
        if (id is not null)
        {
            headers[MicroHeaders.Id] = id;
        }

        if (error is not null)
        {
            headers[MicroHeaders.Error] = error.ToJson();
        }

        return new TransportMessage(headers, body);
    }
}
