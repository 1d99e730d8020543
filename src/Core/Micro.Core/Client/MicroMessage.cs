using Micro.Codec;

namespace Micro.Client;

/// <summary>An encoded event to publish on a topic.</summary>
public sealed record MicroMessage(string Topic, ReadOnlyMemory<byte> Body, string ContentType = JsonCodec.MediaType);

/// <summary>Per-publish settings.</summary>
public sealed record PublishOptions
{
    public static PublishOptions Default { get; } = new();

    /// <summary>Sent as message headers, beside Content-Type, Micro-Topic and Micro-Id.</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }
}
