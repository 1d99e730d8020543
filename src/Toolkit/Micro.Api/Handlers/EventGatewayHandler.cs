using Micro.Client;
using Microsoft.AspNetCore.Http;

namespace Micro.Api;

/// <summary>The <c>event</c> handler: publishes the request to <c>namespace.first-segment</c> as go-micro's event JSON.</summary>
internal sealed class EventGatewayHandler(IMicroClient client, ApiOptions options, TimeProvider time) : IGatewayHandler
{
    public async Task HandleAsync(HttpContext context, ApiRoute route)
    {
        // Routed by service (the default handler is event): that service; routed to an endpoint: its first path segment.
        var topic = route.Endpoint.Length == 0 ? route.Service : ApiRouteResolver.FirstSegmentService(options.Namespace, route.Path) ?? route.Service;
        var parts = route.Path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var name = parts.Length > 1 ? string.Join('.', parts[1..]) : parts.FirstOrDefault() ?? "";
        var body = await RequestBodies.ReadAsync(context.Request, context.RequestAborted).ConfigureAwait(false);
        var envelope = RequestBodies.Event(name, context.Request, body, time);
        await client.PublishAsync(new MicroMessage(topic, envelope), null, context.RequestAborted).ConfigureAwait(false);
        context.Response.StatusCode = StatusCodes.Status200OK;
    }
}
