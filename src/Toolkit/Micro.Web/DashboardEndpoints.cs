using Micro.Broker;
using Micro.Client;
using Micro.Edge;
using Micro.Hosting;
using Micro.Registry;
using Micro.Selector;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Forwarder;

namespace Micro.Web;

/// <summary>
/// The dashboard's endpoints under a prefix: its pages (<c>/</c>, <c>/service/{name}</c>, <c>/apps</c>, <c>/terminal</c>),
/// their JSON API under <c>/api</c>, the live registry feed at <c>/events</c>, the sign-in, and every other <c>/{name}</c>
/// reverse-proxied to web app <c>{namespace}.{name}</c>. Each runs behind, in order: the pages' security headers, the
/// browser guard (Host, Origin, Content-Type), the sign-in (with an authenticator) and the CSRF check. Inside, paths are
/// the dashboard's own (<c>/signin</c>): the prefix is moved into the request's path base, which every link, redirect and
/// cookie path is built from.
/// </summary>
internal sealed class DashboardEndpoints : IAsyncDisposable
{
    private readonly WebOptions _options;
    private readonly RegistryFeed _feed;
    private readonly DashboardApi _api;
    private readonly NodeForwarder _forwarder;
    private readonly BrowserGuard _guard;
    private readonly DashboardSignIn? _signIn;
    private readonly Func<HttpContext, Func<Task>, Task> _csrf;
    private readonly string? _appsOrigin;

    /// <param name="hosts">When Host must be a loopback name: micro web bound to loopback always, an app on requests over loopback.</param>
    /// <param name="appsOrigin">Where web apps are served when they have their own origin (micro web's <c>--apps_address</c>), else null.</param>
    public DashboardEndpoints(WebOptions options, IRegistry registry, IMicroClient client, IBroker broker, ISelector selector, MicroSettings settings,
        IHttpForwarder httpForwarder, LoopbackHostRule hosts, string? appsOrigin, TimeProvider time, ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger<DashboardServer>();
        _options = options;
        _appsOrigin = appsOrigin;
        _api = new DashboardApi(options, registry, client, broker, settings.RegisterTtl, time, logger, appsOrigin);
        // Web apps share this origin: their replies cannot set the dashboard's cookie and run sandboxed (an opaque
        // origin), so their scripts cannot call the dashboard's API as the signed-in operator.
        _forwarder = new NodeForwarder(httpForwarder, selector, settings.AllowLinkLocal, new ForwardedReplies(DashboardSignIn.CookieName, ForwardedReplies.Sandbox));
        _guard = new BrowserGuard("go.micro.web", hosts, new HashSet<string>(StringComparer.Ordinal) { "/signin", "/signout" }, loggers.CreateLogger<BrowserGuard>());
        var sessions = new DashboardSessions(options.SessionLifetime, time);
        _signIn = options.Authenticator is { } authenticator ? new DashboardSignIn(authenticator, sessions, logger) : null;
        _csrf = DashboardCsrf.Middleware(sessions, _signIn is not null);
        _feed = new RegistryFeed(registry, logger);
        _feed.Start();
    }

    public bool HasAuthenticator => _signIn is not null;

    public bool Insecure => _options.Insecure;

    public RouteGroupBuilder Map(IEndpointRouteBuilder endpoints, string prefix = "")
    {
        var at = EdgePathPrefix.Normalize(prefix);
        var group = endpoints.MapGroup(at);
        RequestDelegate Guarded(RequestDelegate handler) => context =>
        {
            EdgePathPrefix.MoveIntoPathBase(context, at); // links, redirects and the cookie are built from the path base

            return DashboardPages.SecurityHeaders(context, () => _guard.InvokeAsync(context, () => _signIn is null
                ? _csrf(context, () => handler(context))
                : _signIn.InvokeAsync(context, () => _csrf(context, () => handler(context)))));
        };

        if (_signIn is { } signIn)
        {
            group.MapGet("/signin", Guarded(DashboardSignIn.FormAsync));
            group.MapPost("/signin", Guarded(signIn.SignInAsync)).DisableAntiforgery();
            group.MapPost("/signout", Guarded(DashboardSignIn.SignOutAsync)).DisableAntiforgery();
        }

        group.MapGet("/", Guarded(context => DashboardPages.PageAsync(context, "services", "Services", null)));
        group.MapGet("/service/{name}", Guarded(context => DashboardPages.PageAsync(context, "service", Route(context, "name"), Route(context, "name"))));
        group.MapGet("/apps", Guarded(context => DashboardPages.PageAsync(context, "apps", "Web apps", null)));
        group.MapGet("/terminal", Guarded(context => DashboardPages.PageAsync(context, "terminal", "Terminal", null)));
        group.MapGet("/static/{file}", Guarded(context => DashboardPages.StaticFileAsync(context, Route(context, "file"))));
        group.MapGet("/api/services", Guarded(_api.ServicesAsync));
        group.MapGet("/api/services/{name}", Guarded(context => _api.ServiceAsync(context, Route(context, "name"))));
        group.MapGet("/api/apps", Guarded(_api.AppsAsync));
        group.MapGet("/api/metrics/{name}", Guarded(context => _api.MetricsAsync(context, Route(context, "name"))));
        group.MapPost("/api/call", Guarded(_api.CallAsync));
        group.MapPost("/api/terminal", Guarded(_api.TerminalAsync));
        group.MapGet("/events", Guarded(context => DashboardEvents.ServeAsync(context, _feed)));
        group.MapFallback("{**path}", Guarded(context => _appsOrigin is null
            ? DashboardWebApps.ForwardAsync(context, _options, _forwarder)
            : DashboardWebApps.RedirectAsync(context, _appsOrigin)));
        return group;
    }

    private static string Route(HttpContext context, string name) => context.Request.RouteValues[name] as string ?? "";

    public async ValueTask DisposeAsync()
    {
        await _feed.DisposeAsync().ConfigureAwait(false);
        _forwarder.Dispose();
    }
}
