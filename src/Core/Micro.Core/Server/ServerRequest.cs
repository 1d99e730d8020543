using Micro.Codec;
using Micro.Transport;

namespace Micro.Server;

/// <summary>A request as server middleware and endpoints see it.</summary>
public sealed class ServerRequest
{
    internal ServerRequest(string service, string endpoint, ICodec codec, ICodec replyCodec, IReadOnlyDictionary<string, string> headers, ReadOnlyMemory<byte> body, TransportPeer peer)
    {
        Service = service;
        Endpoint = endpoint;
        Codec = codec;
        ReplyCodec = replyCodec;
        Headers = headers;
        Body = body;
        Peer = peer;
    }

    public string Service { get; }

    /// <summary><c>Type.Method</c>.</summary>
    public string Endpoint { get; }

    /// <summary>Decodes the body (chosen by the request's Content-Type).</summary>
    public ICodec Codec { get; }

    /// <summary>Encodes the reply (chosen by Accept, else Content-Type).</summary>
    public ICodec ReplyCodec { get; }

    public IReadOnlyDictionary<string, string> Headers { get; }

    public ReadOnlyMemory<byte> Body { get; }

    public TransportPeer Peer { get; }
}

/// <summary>An encoded reply.</summary>
public readonly record struct ServerResponse(ReadOnlyMemory<byte> Body, string ContentType);

/// <summary>Handles one request; server middleware wraps these.</summary>
public delegate ValueTask<ServerResponse> RequestHandler(ServerRequest request, CancellationToken cancellationToken);

/// <summary>A server middleware: wraps the next handler (logging, auth, metrics...). Throw <see cref="MicroException"/> to refuse.</summary>
public delegate RequestHandler ServerMiddleware(RequestHandler next);
