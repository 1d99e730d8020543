using System.Reflection;
using System.Runtime.CompilerServices;
using Micro.Registry;
using Microsoft.Extensions.DependencyInjection;

namespace Micro.Server;

/// <summary>Which handler types were registered scoped or transient (resolved per request in a DI scope).</summary>
internal sealed class HandlerLifetimes
{
    private readonly HashSet<Type> _perRequest = [];

    public void Add(Type type, ServiceLifetime lifetime)
    {
        if (lifetime != ServiceLifetime.Singleton)
        {
            _perRequest.Add(type);
        }
    }

    public bool IsPerRequest(Type type) => _perRequest.Contains(type);
}
