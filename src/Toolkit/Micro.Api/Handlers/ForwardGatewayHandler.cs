using Micro.Edge;
using Microsoft.AspNetCore.Http;

namespace Micro.Api;

/// <summary>The <c>http</c>, <c>proxy</c> and <c>web</c> handlers: the request forwarded whole (YARP) to a node of the service.</summary>
internal sealed class ForwardGatewayHandler(NodeForwarder forwarder, ApiOptions options) : IGatewayHandler
{
    public Task HandleAsync(HttpContext context, ApiRoute route) => forwarder.ForwardAsync(context, route.Service, null, options.RequestTimeout);
}
