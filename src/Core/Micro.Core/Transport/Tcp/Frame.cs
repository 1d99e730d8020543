namespace Micro.Transport.Tcp;

/// <summary>One decoded frame. <see cref="Body"/> is a copy the receiver owns.</summary>
internal readonly record struct Frame(FrameType Type, uint Id, Dictionary<string, string>? Headers, ReadOnlyMemory<byte> Body);
