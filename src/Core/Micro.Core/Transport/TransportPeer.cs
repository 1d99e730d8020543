namespace Micro.Transport;

/// <summary>Who sent a request: the addresses of both ends of the connection.</summary>
public readonly record struct TransportPeer(string LocalAddress, string RemoteAddress);
