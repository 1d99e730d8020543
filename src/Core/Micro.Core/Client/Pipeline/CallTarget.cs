using Micro.Transport;

namespace Micro.Client;

/// <summary>Where one attempt goes: the address, the node's id (null for a direct address) and the transport it listens on.</summary>
public readonly record struct CallTarget(string Address, string? NodeId, ITransport Transport);
