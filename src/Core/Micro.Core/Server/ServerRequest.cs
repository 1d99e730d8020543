using Micro.Codec;
using Micro.Transport;

namespace Micro.Server;

/// <summary>
/// A request as the server pipeline and endpoints see it. The <c>route</c> stage finds the endpoint and its codecs
/// (<see cref="Codec"/>, <see cref="ReplyCodec"/>); the <c>deadline</c> stage sets <see cref="Deadline"/>.
/// </summary>
public sealed class ServerRequest
{
    private ICodec? _codec;
    private ICodec? _replyCodec;

    internal ServerRequest(string service, string nodeId, string endpoint, string contentType, IReadOnlyDictionary<string, string> headers, ReadOnlyMemory<byte> body, TransportPeer peer)
    {
        // The request's CallContext holds what both share (one object per request, not two copies).
        Context = new CallContext(service, endpoint, headers, null, nodeId);
        ContentType = contentType;
        Body = body;
        Peer = peer;
    }

    public string Service => Context.Service;

    /// <summary><c>Type.Method</c> (from the <c>Micro-Endpoint</c> header, or the RPC envelope once routed).</summary>
    public string Endpoint => Context.Endpoint;

    /// <summary>The request's content type.</summary>
    public string ContentType { get; }

    /// <summary>Decodes the body (chosen by the request's Content-Type).</summary>
    public ICodec Codec => _codec ?? throw NotRouted();

    /// <summary>Encodes the reply (chosen by Accept, else Content-Type).</summary>
    public ICodec ReplyCodec => _replyCodec ?? throw NotRouted();

    /// <summary>Every request header (case-insensitive), with <c>Local</c> and <c>Remote</c>.</summary>
    public IReadOnlyDictionary<string, string> Headers => Context.Metadata;

    /// <summary>The message (inside the RPC envelope, once routed, when the content type has one).</summary>
    public ReadOnlyMemory<byte> Body { get; internal set; }

    public TransportPeer Peer { get; }

    /// <summary>When the caller stops waiting, if it said (its <c>Micro-Timeout</c>, read by the deadline stage).</summary>
    public DateTimeOffset? Deadline => Context.Deadline;

    /// <summary>json-rpc or proto-rpc, when the content type wraps messages in an envelope.</summary>
    internal RpcEnvelope? Envelope => RpcEnvelope.For(ContentType);

    internal RpcRequestEnvelope? Rpc { get; set; }

    /// <summary>The content type of the reply (and of an error reply before routing: the request's).</summary>
    internal string ReplyContentType => Envelope?.ContentType ?? _replyCodec?.ContentType ?? ContentType;

    /// <summary>The endpoint's handler, found by the route stage.</summary>
    internal RequestHandler? Handler { get; set; }

    /// <summary>The request's <see cref="CallContext"/> (<see cref="CallContext.Current"/> from the route stage on).</summary>
    internal CallContext Context { get; }

    internal void Route(string endpoint, ICodec codec, ICodec replyCodec)
    {
        Context.Endpoint = endpoint;
        _codec = codec;
        _replyCodec = replyCodec;
    }

    private InvalidOperationException NotRouted()
        => new($"The request for {Endpoint} has not been routed yet: a stage before the server pipeline's route stage cannot read its codecs.");
}
