using Micro.Edge;
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
public sealed class ApiGateway
{
    private static readonly TimeSpan HandlerCacheAge = TimeSpan.FromSeconds(10);
    private readonly ConcurrentDictionary<string, (DateTimeOffset At, Dictionary<string, string> Handlers)> _endpointHandlers = new(StringComparer.Ordinal);
    private readonly ApiOptions options;
    private readonly IMicroClient client;
    private readonly IRegistry registry;
    private readonly TimeProvider time;
    private readonly ILogger<ApiGateway> logger;
    private readonly IReadOnlyDictionary<string, IGatewayHandler> _handlers;
    private readonly IGatewayResolver _resolver;
    private readonly IGatewayHandler _default;

    /// <param name="handlers">Every handler by name (the built-in ones and any added); <see cref="ApiOptions.Handler"/> must be one.</param>
    /// <param name="resolvers">Every resolver by name; <see cref="ApiOptions.Resolver"/> must be one.</param>
    public ApiGateway(ApiOptions options, IMicroClient client, IRegistry registry, IReadOnlyDictionary<string, IGatewayHandler> handlers,
        IReadOnlyDictionary<string, IGatewayResolver> resolvers, TimeProvider time, ILogger<ApiGateway> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        this.options = options;
        this.client = client;
        this.registry = registry;
        this.time = time;
        this.logger = logger;
        _handlers = handlers;
        _default = handlers.GetValueOrDefault(options.Handler)
            ?? throw new ArgumentException($"--handler '{options.Handler}' is not one of {string.Join(", ", handlers.Keys.Order(StringComparer.Ordinal))}");
        _resolver = resolvers.GetValueOrDefault(options.Resolver)
            ?? throw new ArgumentException($"--resolver '{options.Resolver}' is not one of {string.Join(", ", resolvers.Keys.Order(StringComparer.Ordinal))}");
    }

    public ApiOptions Options => options;

    /// <summary>Handlers that take a request by its service alone (forwarded or published whole), not by endpoint.</summary>
    private bool RoutesByService => options.Handler is ApiHandlers.Http or ApiHandlers.Proxy or ApiHandlers.Web or ApiHandlers.Event;

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

            if (RoutesByService)
            {
                var service = options.Resolver is ApiResolvers.Micro or ApiResolvers.Path
                    ? ApiRouteResolver.FirstSegmentService(options.Namespace, path)
                    : _resolver.Resolve(context.Request, path, options.Namespace)?.Service;
                if (service is null)
                {
                    throw MicroException.NotFound(EdgeErrors.GatewayId, $"nothing to route for {path}: the first path segment names the service (/<service>/...)");
                }

                await _default.HandleAsync(context, new ApiRoute(service, "", path)).ConfigureAwait(false);
                return;
            }

            var route = _resolver.Resolve(context.Request, path, options.Namespace)
                        ?? throw MicroException.NotFound(EdgeErrors.GatewayId, $"nothing to route for {path}: paths are /<service>/<endpoint>, e.g. /greeter/hello -> {options.Namespace}.greeter Greeter.Hello");
            var named = await EndpointHandlerAsync(route, context.RequestAborted).ConfigureAwait(false);
            await (named is null ? _default : _handlers[named]).HandleAsync(context, route).ConfigureAwait(false);
        }
        catch (MicroException e)
        {
            await EdgeErrors.WriteAsync(context, e).ConfigureAwait(false);
        }
        catch (BadHttpRequestException e)
        {
            var error = e.StatusCode == StatusCodes.Status413PayloadTooLarge
                ? MicroException.TooLarge(EdgeErrors.GatewayId, $"the request body is larger than the gateway's limit of {options.MaxBodyBytes} bytes")
                : MicroException.BadRequest(EdgeErrors.GatewayId, "bad request: " + e.Message);
            await EdgeErrors.WriteAsync(context, error).ConfigureAwait(false);
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
            await EdgeErrors.WriteAsync(context, MicroException.InternalServerError(EdgeErrors.GatewayId, "internal gateway error")).ConfigureAwait(false);
        }
    }

    /// <summary><c>/rpc</c>: <c>{service, endpoint (or method), request, address}</c>; off unless enabled, since it reaches any service.</summary>
    private async Task RpcEndpointAsync(HttpContext context)
    {
        if (!options.EnableRpc)
        {
            throw MicroException.NotFound(EdgeErrors.GatewayId, "/rpc is off: it reaches any service, so start micro api with --enable_rpc to use it");
        }

        if (!HttpMethods.IsPost(context.Request.Method))
        {
            throw MicroException.MethodNotAllowed(EdgeErrors.GatewayId, "/rpc takes POST with {\"service\", \"endpoint\", \"request\"}");
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
            throw MicroException.BadRequest(EdgeErrors.GatewayId, $"/rpc needs a JSON body {{\"service\", \"endpoint\", \"request\"}}: {e.Message}");
        }

        if (service.Length == 0 || endpoint.Length == 0)
        {
            throw MicroException.BadRequest(EdgeErrors.GatewayId, "/rpc needs both \"service\" and \"endpoint\"");
        }

        if (address is not null)
        {
            // A caller over HTTP names no arbitrary host: only a node registered for the service.
            if (!await registry.HasNodeAtAsync(service, address, context.RequestAborted).ConfigureAwait(false))
            {
                throw MicroException.BadRequest(EdgeErrors.GatewayId, $"/rpc \"address\" {address} is not a registered node of {service}; the gateway only reaches registered nodes");
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
                        if (endpoint.Metadata?.TryGetValue("handler", out var h) == true && _handlers.ContainsKey(h))
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
