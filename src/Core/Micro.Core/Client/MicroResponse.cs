using Micro.Selector;

namespace Micro.Client;

/// <summary>An encoded response with the metadata the server sent back.</summary>
public sealed record MicroResponse(ReadOnlyMemory<byte> Body, string ContentType, IReadOnlyDictionary<string, string> Metadata);
