using Micro.Registry;

namespace Micro.Server;

/// <summary>One callable endpoint of the server: its registry description and how to run it.</summary>
public sealed class EndpointDescriptor(Endpoint endpoint, Func<IServiceProvider, RequestHandler> bind)
{
    /// <summary>How the endpoint appears in the registry.</summary>
    public Endpoint Endpoint { get; } = endpoint;

    public string Name => Endpoint.Name;

    /// <summary>Makes the handler once the server's services are built.</summary>
    internal Func<IServiceProvider, RequestHandler> Bind { get; } = bind;
}
