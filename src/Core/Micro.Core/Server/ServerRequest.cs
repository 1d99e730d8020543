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

    internal ServerRequest(string service, string endpoint, string contentType, IReadOnlyDictionary<string, string> headers, ReadOnlyMemory<byte> body, TransportPeer peer)
    {
        Service = service;
        Endpoint = endpoint;
        ContentType = contentType;
        Headers = headers;
        Body = body;
        Peer = peer;
        ReplyContentType = contentType;
        Envelope = RpcEnvelope.For(contentType);
    }

    public string Service { get; }

    /// <summary><c>Type.Method</c> (from the <c>Micro-Endpoint</c> header, or the RPC envelope once routed).</summary>
    public string Endpoint { get; internal set; }

    /// <summary>The request's content type.</summary>
    public string ContentType { get; }

    /// <summary>Decodes the body (chosen by the request's Content-Type).</summary>
    public ICodec Codec => _codec ?? throw NotRouted();

    /// <summary>Encodes the reply (chosen by Accept, else Content-Type).</summary>
    public ICodec ReplyCodec => _replyCodec ?? throw NotRouted();

    /// <summary>Every request header (case-insensitive), with <c>Local</c> and <c>Remote</c>.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; }

    /// <summary>The message (inside the RPC envelope, once routed, when the content type has one).</summary>
    public ReadOnlyMemory<byte> Body { get; internal set; }

    public TransportPeer Peer { get; }

    /// <summary>When the caller stops waiting, if it said (its <c>Micro-Timeout</c>).</summary>
    public DateTimeOffset? Deadline { get; set; }

    /// <summary>Whether the route stage has found the endpoint and its codecs.</summary>
    public bool IsRouted => _codec is not null;

    internal RpcEnvelope? Envelope { get; }

    internal RpcRequestEnvelope? Rpc { get; set; }

    /// <summary>The content type of the reply (and of an error reply before routing: the request's).</summary>
    internal string ReplyContentType { get; private set; }

    /// <summary>The endpoint's handler, found by the route stage.</summary>
    internal RequestHandler? Handler { get; set; }

    /// <summary>The request's <see cref="CallContext"/>, made by the route stage.</summary>
    internal CallContext? Context { get; set; }

    internal void Route(ICodec codec, ICodec replyCodec, string replyContentType)
    {
        _codec = codec;
        _replyCodec = replyCodec;
        ReplyContentType = replyContentType;
    }

    private InvalidOperationException NotRouted()
        => new($"The request for {Endpoint} has not been routed yet: a stage before the server pipeline's route stage cannot read its codecs.");
}

/// <summary>An encoded reply, or the error the request ended with (<see cref="Failure"/>).</summary>
public readonly record struct ServerResponse(ReadOnlyMemory<byte> Body, string ContentType)
{
    /// <summary>Set when the request failed: the caller gets it as the reply's error.</summary>
    public MicroException? Error { get; init; }

    public static ServerResponse Failure(MicroException error) => new(default, "") { Error = error ?? throw new ArgumentNullException(nameof(error)) };
}

/// <summary>Handles one request from a stage of the server pipeline inwards.</summary>
public delegate ValueTask<ServerResponse> RequestHandler(ServerRequest request, CancellationToken cancellationToken);

/// <summary>
/// A stage of the server pipeline: wraps the next stage (logging, auth, metrics...). Throw <see cref="MicroException"/>
/// (or return <see cref="ServerResponse.Failure"/>) to refuse.
/// </summary>
public delegate RequestHandler ServerMiddleware(RequestHandler next);
