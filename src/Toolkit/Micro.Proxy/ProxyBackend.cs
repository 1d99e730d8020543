using Micro.Broker;
using Micro.Client;
using Micro.Registry;

namespace Micro.Proxy;

/// <summary>What the proxy serves: a registry, a client for calls and streams, a broker, and the TTL of registrations made through it.</summary>
public sealed record ProxyBackend(IRegistry Registry, IMicroClient Client, IBroker Broker, TimeSpan RegisterTtl);
