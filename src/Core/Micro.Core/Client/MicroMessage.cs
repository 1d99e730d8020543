using Micro.Codec;

namespace Micro.Client;

/// <summary>An encoded event to publish on a topic.</summary>
public sealed record MicroMessage(string Topic, ReadOnlyMemory<byte> Body, string ContentType = JsonCodec.MediaType);
