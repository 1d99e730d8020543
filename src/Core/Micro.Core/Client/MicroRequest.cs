using Micro.Codec;

namespace Micro.Client;

/// <summary>An encoded request: what service and endpoint, and the body in some content type.</summary>
public sealed record MicroRequest(string Service, string Endpoint, ReadOnlyMemory<byte> Body, string ContentType = JsonCodec.MediaType);
