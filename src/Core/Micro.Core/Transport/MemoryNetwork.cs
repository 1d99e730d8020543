using System.Collections.Concurrent;

namespace Micro.Transport;

/// <summary>The set of in-memory listeners that memory transports can reach.</summary>
public sealed class MemoryNetwork
{
    public static MemoryNetwork Shared { get; } = new();

    internal ConcurrentDictionary<string, ITransportHandler> Listeners { get; } = new(StringComparer.Ordinal);

    internal int NextPort;
}
