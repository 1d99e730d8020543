using Micro.Registry;

namespace Micro.Server;

/// <summary>One callable endpoint of the server: its registry description and how to run it.</summary>
public sealed class EndpointDescriptor(Endpoint endpoint, Func<IServiceProvider, RequestHandler>? bind, Func<IServiceProvider, StreamHandler>? bindStream = null)
{
    /// <summary>Set for stream endpoints (metadata <c>stream: true</c>), which are served as streams, not requests.</summary>
    internal Func<IServiceProvider, StreamHandler>? BindStream { get; } = bindStream;

    /// <summary>How the endpoint appears in the registry.</summary>
    public Endpoint Endpoint { get; } = endpoint;

    public string Name => Endpoint.Name;

    /// <summary>Makes the handler once the server's services are built.</summary>
    internal Func<IServiceProvider, RequestHandler>? Bind { get; } = bind;
}
