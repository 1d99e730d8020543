using Micro.Edge;
using Micro.Edge.Auth;
using Micro.Transport.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace Micro.Proxy;

/// <summary>
/// The proxy's endpoints (<c>/health</c>, <c>/registry</c>, <c>/rpc</c>, <c>/stream</c>, <c>/broker</c>), each behind the
/// browser guard (a web page gets nothing, not even a 401), the edge auth and the proxy's error JSON, in that order.
/// </summary>
internal sealed class ProxyEndpoints
{
    private readonly ProxyOptions _options;
    private readonly ProxyServer.Handlers _handlers;
    private readonly BrowserGuard _guard;
    private readonly EdgeAuthMiddleware _auth;

    /// <param name="hosts">When Host must be a loopback name: micro proxy bound to loopback always, an app on requests over loopback.</param>
    public ProxyEndpoints(ProxyOptions options, ProxyBackend backend, LoopbackHostRule hosts, ILoggerFactory loggers)
    {
        _options = options;
        _handlers = new ProxyServer.Handlers(options, backend);
        _guard = new BrowserGuard("go.micro.proxy", hosts, new HashSet<string>(), loggers.CreateLogger<BrowserGuard>());
        // The gateway's check (secure headers, 401 saying why, never the credential in a log), on the proxy's authenticator.
        _auth = new EdgeAuthMiddleware(_handlers.Authenticator, "go.micro.proxy", loggers.CreateLogger<EdgeAuthMiddleware>(),
            options.Authenticator is null ? null : " (the CLI sends it with --auth_token or MICRO_AUTH_TOKEN)");
    }

    /// <summary>--auth's authenticator, else --auth_token as the one API key, else none.</summary>
    public static IEdgeAuthenticator? AuthenticatorOf(ProxyOptions options)
        => options.Authenticator
           ?? (options.AuthToken is { Length: > 0 } t
               ? new ApiKeyAuthenticator(["cli=" + t], "token", "Authorization: Bearer <token>, the proxy's --auth_token (the CLI: --auth_token or MICRO_AUTH_TOKEN)")
               : null);

    public bool HasAuthenticator => _handlers.Authenticator is not null;

    public bool Insecure => _options.Insecure;

    public RouteGroupBuilder Map(IEndpointRouteBuilder endpoints, string prefix = "")
    {
        var group = endpoints.MapGroup(EdgePathPrefix.Normalize(prefix));
        group.MapGet("/health", Guarded(context => context.Response.WriteAsync("""{"status":"ok"}""", context.RequestAborted)));
        group.MapGet("/registry", Guarded(_handlers.GetRegistryAsync));
        group.MapPost("/registry", Guarded(_handlers.RegisterAsync));
        group.MapDelete("/registry", Guarded(_handlers.DeregisterAsync));
        group.MapPost("/rpc", Guarded(_handlers.RpcAsync));
        group.Map("/stream", Guarded(context => WebSocketStreams.ServeAsync(context, _handlers, _options.MaxBodyBytes)));
        group.Map("/broker", Guarded(_handlers.BrokerAsync));
        return group;
    }

    private RequestDelegate Guarded(RequestDelegate handler)
        => context => _guard.InvokeAsync(context, () => _auth.InvokeAsync(context, () => _handlers.ErrorsAsync(context, () => handler(context))));
}
