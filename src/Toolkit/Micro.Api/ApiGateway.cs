using System.Collections.Concurrent;
using System.Text.Json;
using Micro.Client;
using Micro.Registry;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Micro.Api;

/// <summary>
/// The gateway's request handling: resolves the route, picks the handler (the endpoint's metadata <c>handler</c>, else
/// <see cref="ApiOptions.Handler"/>) and runs it. Every failure is go-micro's error JSON with a matching status.
/// </summary>
public sealed class ApiGateway(ApiOptions options, IMicroClient client, IRegistry registry, NodeForwarder forwarder, TimeProvider time, ILogger<ApiGateway> logger)
{
    private static readonly TimeSpan HandlerCacheAge = TimeSpan.FromSeconds(10);
    private readonly ConcurrentDictionary<string, (DateTimeOffset At, Dictionary<string, string> Handlers)> _endpointHandlers = new(StringComparer.Ordinal);

    public ApiOptions Options => options;

    public async Task HandleAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        try
        {
            var path = context.Request.Path.Value ?? "/";
            if (path.Equals("/rpc", StringComparison.OrdinalIgnoreCase))
            {
                await RpcEndpointAsync(context).ConfigureAwait(false);
                return;
            }

            if (options.Handler is ApiHandlers.Http or ApiHandlers.Proxy or ApiHandlers.Web or ApiHandlers.Event)
            {
                var service = options.Resolver == ApiResolvers.Host
                    ? ApiRouteResolver.Resolve(ApiResolvers.Host, options.Namespace, path, context.Request.Host.Host)?.Service
                    : ApiRouteResolver.FirstSegmentService(options.Namespace, path);
                if (service is null)
                {
                    throw MicroException.NotFound(ApiErrors.GatewayId, $"nothing to route for {path}: the first path segment names the service (/<service>/...)");
                }

                await (options.Handler == ApiHandlers.Event ? EventAsync(context, service, path) : forwarder.ForwardAsync(context, service, null, options.RequestTimeout)).ConfigureAwait(false);
                return;
            }

            var route = ApiRouteResolver.Resolve(options.Resolver, options.Namespace, path, context.Request.Host.Host)
                        ?? throw MicroException.NotFound(ApiErrors.GatewayId, $"nothing to route for {path}: paths are /<service>/<endpoint>, e.g. /greeter/hello -> {options.Namespace}.greeter Greeter.Hello");
            var handler = await EndpointHandlerAsync(route, context.RequestAborted).ConfigureAwait(false) ?? options.Handler;
            switch (handler)
            {
                case ApiHandlers.Api:
                    await CallAsync(context, route, await RequestBodies.ApiRequestAsync(context.Request, context.RequestAborted).ConfigureAwait(false), "application/json", api: true).ConfigureAwait(false);
                    break;
                case ApiHandlers.Http or ApiHandlers.Proxy or ApiHandlers.Web:
                    await forwarder.ForwardAsync(context, route.Service, null, options.RequestTimeout).ConfigureAwait(false);
                    break;
                case ApiHandlers.Event:
                    await EventAsync(context, ApiRouteResolver.FirstSegmentService(options.Namespace, path)!, path).ConfigureAwait(false);
                    break;
                default:
                    var (body, contentType) = await RequestBodies.RpcRequestAsync(context.Request, context.RequestAborted).ConfigureAwait(false);
                    await CallAsync(context, route, body, contentType, api: false).ConfigureAwait(false);
                    break;
            }
        }
        catch (MicroException e)
        {
            await ApiErrors.WriteAsync(context, e).ConfigureAwait(false);
        }
        catch (BadHttpRequestException e)
        {
            var error = e.StatusCode == StatusCodes.Status413PayloadTooLarge
                ? MicroException.TooLarge(ApiErrors.GatewayId, $"the request body is larger than the gateway's limit of {options.MaxBodyBytes} bytes")
                : MicroException.BadRequest(ApiErrors.GatewayId, "bad request: " + e.Message);
            await ApiErrors.WriteAsync(context, error).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // the caller went away; nobody is left to answer
        }
#pragma warning disable CA1031 // the edge answers every failure with error JSON and logs it; the caller never sees internals
        catch (Exception e)
#pragma warning restore CA1031
        {
            logger.LogError(e, "Gateway failure for {Method} {Path}", context.Request.Method, context.Request.Path);
            await ApiErrors.WriteAsync(context, MicroException.InternalServerError(ApiErrors.GatewayId, "internal gateway error")).ConfigureAwait(false);
        }
    }

    private async Task CallAsync(HttpContext context, ApiRoute route, byte[] body, string contentType, bool api)
    {
        var callOptions = new CallOptions { Metadata = RequestMetadata.From(context.Request), Timeout = options.RequestTimeout };
        MicroResponse reply;
        try
        {
            reply = await client.CallAsync(new MicroRequest(route.Service, route.Endpoint, body, contentType), callOptions, context.RequestAborted).ConfigureAwait(false);
        }
        catch (MicroException e) when (e.Code == 404)
        {
            // Say what the path was turned into: the most common confusion at a gateway.
            throw new MicroException(e.Id, 404, $"{route.Path} was routed to service {route.Service}, endpoint {route.Endpoint}: {e.Detail}");
        }

        if (api)
        {
            await WriteApiResponseAsync(context, reply.Body).ConfigureAwait(false);
            return;
        }

        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = reply.ContentType;
        context.Response.ContentLength = reply.Body.Length;
        await context.Response.Body.WriteAsync(reply.Body, context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>go-micro's api.Response: <c>{statusCode, header: {k: {key, values}}, body}</c>.</summary>
    private static async Task WriteApiResponseAsync(HttpContext context, ReadOnlyMemory<byte> reply)
    {
        int status;
        string body;
        using (var doc = ParseReply(reply))
        {
            var root = doc.RootElement;
            status = root.TryGetProperty("statusCode", out var s) && s.TryGetInt32(out var code) && code is >= 100 and <= 599 ? code : 200;
            body = root.TryGetProperty("body", out var b) && b.ValueKind == JsonValueKind.String ? b.GetString()! : "";
            if (root.TryGetProperty("header", out var headers) && headers.ValueKind == JsonValueKind.Object)
            {
                foreach (var header in headers.EnumerateObject())
                {
                    if (header.Value.TryGetProperty("values", out var values) && values.ValueKind == JsonValueKind.Array)
                    {
                        context.Response.Headers[header.Name] = values.EnumerateArray().Select(v => v.GetString()).ToArray();
                    }
                }
            }
        }

        context.Response.StatusCode = status;
        await context.Response.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
    }

    private static JsonDocument ParseReply(ReadOnlyMemory<byte> reply)
    {
        try
        {
            return JsonDocument.Parse(reply);
        }
        catch (JsonException e)
        {
            throw new MicroException(ApiErrors.GatewayId, 502, $"the service's reply is not an api response ({{statusCode, header, body}}): {e.Message}");
        }
    }

    /// <summary>The event handler: publishes the request to <c>namespace.first-segment</c> as go-micro's event JSON.</summary>
    private async Task EventAsync(HttpContext context, string topic, string path)
    {
        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var name = parts.Length > 1 ? string.Join('.', parts[1..]) : parts.FirstOrDefault() ?? "";
        var body = await RequestBodies.ReadAsync(context.Request, context.RequestAborted).ConfigureAwait(false);
        var envelope = RequestBodies.Event(name, context.Request, body, time);
        await client.PublishAsync(new MicroMessage(topic, envelope), null, context.RequestAborted).ConfigureAwait(false);
        context.Response.StatusCode = StatusCodes.Status200OK;
    }

    /// <summary><c>/rpc</c>: <c>{service, endpoint (or method), request, address}</c>; off unless enabled, since it reaches any service.</summary>
    private async Task RpcEndpointAsync(HttpContext context)
    {
        if (!options.EnableRpc)
        {
            throw MicroException.NotFound(ApiErrors.GatewayId, "/rpc is off: it reaches any service, so start micro api with --enable_rpc to use it");
        }

        if (!HttpMethods.IsPost(context.Request.Method))
        {
            throw MicroException.MethodNotAllowed(ApiErrors.GatewayId, "/rpc takes POST with {\"service\", \"endpoint\", \"request\"}");
        }

        var body = await RequestBodies.ReadAsync(context.Request, context.RequestAborted).ConfigureAwait(false);
        string service, endpoint;
        string? address;
        byte[] request;
        try
        {
            using var doc = JsonDocument.Parse(body.Length == 0 ? "{}"u8.ToArray() : body);
            var root = doc.RootElement;
            service = root.TryGetProperty("service", out var s) ? s.GetString() ?? "" : "";
            endpoint = root.TryGetProperty("endpoint", out var e) ? e.GetString() ?? "" : root.TryGetProperty("method", out var m) ? m.GetString() ?? "" : "";
            address = root.TryGetProperty("address", out var a) ? a.GetString() : null;
            request = root.TryGetProperty("request", out var r)
                ? r.ValueKind == JsonValueKind.String ? System.Text.Encoding.UTF8.GetBytes(r.GetString()!) : System.Text.Encoding.UTF8.GetBytes(r.GetRawText())
                : "{}"u8.ToArray();
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw MicroException.BadRequest(ApiErrors.GatewayId, $"/rpc needs a JSON body {{\"service\", \"endpoint\", \"request\"}}: {e.Message}");
        }

        if (service.Length == 0 || endpoint.Length == 0)
        {
            throw MicroException.BadRequest(ApiErrors.GatewayId, "/rpc needs both \"service\" and \"endpoint\"");
        }

        if (address is not null)
        {
            // A caller over HTTP names no arbitrary host: only a node registered for the service.
            if (!await registry.HasNodeAtAsync(service, address, context.RequestAborted).ConfigureAwait(false))
            {
                throw MicroException.BadRequest(ApiErrors.GatewayId, $"/rpc \"address\" {address} is not a registered node of {service}; the gateway only reaches registered nodes");
            }
        }

        var callOptions = new CallOptions { Metadata = RequestMetadata.From(context.Request), Timeout = options.RequestTimeout, Address = address };
        var reply = await client.CallAsync(new MicroRequest(service, endpoint, request), callOptions, context.RequestAborted).ConfigureAwait(false);
        context.Response.ContentType = reply.ContentType;
        await context.Response.Body.WriteAsync(reply.Body, context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>The handler an endpoint asks for in its registry metadata (<c>handler: api</c>...), cached briefly.</summary>
    private async ValueTask<string?> EndpointHandlerAsync(ApiRoute route, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (!_endpointHandlers.TryGetValue(route.Service, out var cached) || now - cached.At > HandlerCacheAge)
        {
            var handlers = new Dictionary<string, string>(StringComparer.Ordinal);
            try
            {
                foreach (var service in await registry.GetServiceAsync(route.Service, cancellationToken).ConfigureAwait(false))
                {
                    foreach (var endpoint in service.Endpoints ?? [])
                    {
                        if (endpoint.Metadata?.TryGetValue("handler", out var h) == true && ApiHandlers.All.Contains(h))
                        {
                            handlers[endpoint.Name] = h;
                        }
                    }
                }
            }
            catch (MicroException)
            {
                // registry unreachable: route with the default handler; the call itself reports what is wrong
            }

            cached = (now, handlers);
            _endpointHandlers[route.Service] = cached;
        }

        return cached.Handlers.GetValueOrDefault(route.Endpoint);
    }
}
