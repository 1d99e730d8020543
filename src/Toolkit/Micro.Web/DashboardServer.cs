using System.Text.Json;
using Micro.Edge;
using Micro.Commands;
using Micro.Hosting;
using Micro.Transport.Http;
using Micro.Transport.Tcp;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Yarp.ReverseProxy.Forwarder;

namespace Micro.Web;

/// <summary>
/// <c>micro web</c>: the dashboard pages (<c>/</c>, <c>/service/{name}</c>, <c>/apps</c>, <c>/terminal</c>), their JSON API
/// under <c>/api</c>, the live registry feed at <c>/events</c>, and every other <c>/{name}</c> reverse-proxied to a node
/// of web app <c>{namespace}.{name}</c>: only registered web apps are reachable, never an arbitrary host.
/// </summary>
public sealed class DashboardServer : IAsyncDisposable
{
    private static readonly HashSet<string> Reserved = new(StringComparer.OrdinalIgnoreCase) { "service", "apps", "terminal", "api", "events", "static", "favicon.ico", "signin", "signout" };
    private readonly WebApplication _app;
    private readonly RegistryFeed _feed;
    private readonly NodeForwarder _forwarder;
    private readonly (WebApplication App, NodeForwarder Forwarder)? _apps;

    private DashboardServer(WebApplication app, string address, RegistryFeed feed, NodeForwarder forwarder, (WebApplication, NodeForwarder)? apps, string? appsAddress)
    {
        _app = app;
        Address = address;
        _feed = feed;
        _forwarder = forwarder;
        _apps = apps;
        AppsAddress = appsAddress;
    }

    public string Address { get; }

    /// <summary>Where web apps are served when <see cref="WebOptions.AppsAddress"/> is set (their own origin), else null.</summary>
    public string? AppsAddress { get; }

    public static async Task<DashboardServer> StartAsync(WebOptions options, MicroEnvironment environment, ILoggerFactory? loggerFactory = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(environment);
        loggerFactory ??= NullLoggerFactory.Instance;
        var logger = loggerFactory.CreateLogger<DashboardServer>();
        var feed = new RegistryFeed(environment.Registry, logger);
        var api = new DashboardApi(options, environment, logger);
        NodeForwarder? forwarder = null;
        var endPoint = await TcpAddress.ResolveAsync(options.Address, cancellationToken).ConfigureAwait(false);
        var loopback = System.Net.IPAddress.IsLoopback(endPoint.Address);
        if (!loopback && options.Authenticator is null && !options.Insecure)
        {
            throw new ArgumentException($"micro web would listen on {options.Address}, beyond this machine, with no --auth: anyone who reaches it could call every service and run the terminal. " +
                "Add --auth api_key|jwt, or --insecure to accept that.");
        }

        var sessions = new DashboardSessions(options.SessionLifetime, TimeProvider.System);
        var apps = options.AppsAddress is { } appsAddress ? await StartAppsAsync(options, appsAddress, environment, cancellationToken).ConfigureAwait(false) : default;
        var appsOrigin = apps.App is null ? null : $"{(options.Tls is null ? "http" : "https")}://{apps.Address}";
        if (appsOrigin is not null)
        {
            api = new DashboardApi(options, environment, logger, appsOrigin);
        }

        var guard = new BrowserGuard("go.micro.web", loopback, new HashSet<string>(StringComparer.Ordinal) { "/signin", "/signout" }, logger);
        var (app, bound) = await KestrelEndpoint.StartAsync(endPoint, app =>
        {
            // Web apps share this origin: their replies cannot set the dashboard's cookie and run sandboxed (an opaque
            // origin), so their scripts cannot call the dashboard's API as the signed-in operator.
            forwarder = new NodeForwarder(app.Services.GetRequiredService<IHttpForwarder>(), environment.Selector, environment.Settings.AllowLinkLocal,
                new ForwardedReplies(DashboardSignIn.CookieName, ForwardedReplies.Sandbox));
            var web = forwarder;
            app.UseWebSockets();
            app.Use(SecurityHeaders);
            app.Use(guard.InvokeAsync); // Host, Origin and Content-Type: what pages in the operator's browser cannot fake
            if (options.Authenticator is { } authenticator)
            {
                var signIn = new DashboardSignIn(authenticator, sessions, logger);
                app.Use(signIn.InvokeAsync);
                app.MapGet("/signin", DashboardSignIn.FormAsync);
                app.MapPost("/signin", signIn.SignInAsync).DisableAntiforgery();
                app.MapPost("/signout", DashboardSignIn.SignOutAsync).DisableAntiforgery();
            }

            app.Use(DashboardCsrf.Middleware(sessions, options.Authenticator is not null));

            app.MapGet("/", context => Page(context, "services", "Services", null));
            app.MapGet("/service/{name}", (HttpContext context, string name) => Page(context, "service", name, name));
            app.MapGet("/apps", context => Page(context, "apps", "Web apps", null));
            app.MapGet("/terminal", context => Page(context, "terminal", "Terminal", null));
            app.MapGet("/static/{file}", (HttpContext context, string file) => StaticFile(context, file));
            app.MapGet("/api/services", api.ServicesAsync);
            app.MapGet("/api/services/{name}", (HttpContext context, string name) => api.ServiceAsync(context, name));
            app.MapGet("/api/apps", api.AppsAsync);
            app.MapGet("/api/metrics/{name}", (HttpContext context, string name) => api.MetricsAsync(context, name));
            app.MapPost("/api/call", api.CallAsync);
            app.MapPost("/api/terminal", api.TerminalAsync);
            app.MapGet("/events", context => EventsAsync(context, feed));
            app.MapFallback("{**path}", context => appsOrigin is null ? WebAppAsync(context, options, web) : ToAppsOriginAsync(context, appsOrigin));
        }, kestrel => kestrel.Limits.MaxRequestBodySize = 10 * 1024 * 1024, services => services.AddHttpForwarder(), options.Tls, cancellationToken).ConfigureAwait(false);
        feed.Start();
        return new DashboardServer(app, bound, feed, forwarder!, apps.App is null ? null : (apps.App, apps.Forwarder!), apps.Address);
    }

    /// <summary>
    /// The web apps' own listener (<c>--apps_address</c>): another origin, so their scripts cannot read the dashboard.
    /// Cookies are shared across ports, so replies still cannot set the dashboard's cookie and requests never carry it.
    /// </summary>
    private static async Task<(WebApplication? App, string? Address, NodeForwarder? Forwarder)> StartAppsAsync(WebOptions options, string address, MicroEnvironment environment, CancellationToken cancellationToken)
    {
        var endPoint = await TcpAddress.ResolveAsync(address, cancellationToken).ConfigureAwait(false);
        var loopback = System.Net.IPAddress.IsLoopback(endPoint.Address);
        NodeForwarder? forwarder = null;
        var (app, bound) = await KestrelEndpoint.StartAsync(endPoint, app =>
        {
            forwarder = new NodeForwarder(app.Services.GetRequiredService<IHttpForwarder>(), environment.Selector, environment.Settings.AllowLinkLocal,
                new ForwardedReplies(DashboardSignIn.CookieName, null));
            var web = forwarder;
            app.UseWebSockets();
            app.Use((context, next) => loopback && !BrowserGuard.IsLoopbackName(context.Request.Host.Host)
                ? Micro.Edge.EdgeErrors.WriteAsync(context, MicroException.Forbidden("go.micro.web", $"Host '{context.Request.Host}' is not a name of this loopback server"))
                : next());
            app.MapFallback("{**path}", context => WebAppAsync(context, options, web));
        }, kestrel => kestrel.Limits.MaxRequestBodySize = 10 * 1024 * 1024, services => services.AddHttpForwarder(), options.Tls, cancellationToken).ConfigureAwait(false);
        return (app, bound, forwarder);
    }

    /// <summary>With a separate origin for web apps, <c>/{name}/...</c> on the dashboard sends the browser there.</summary>
    private static Task ToAppsOriginAsync(HttpContext context, string appsOrigin)
    {
        var name = context.Request.Path.Value?.Split('/', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
        if (name is null || Reserved.Contains(name))
        {
            return NotFoundAsync(context, "There is no such page.");
        }

        context.Response.StatusCode = StatusCodes.Status307TemporaryRedirect;
        context.Response.Headers.Location = appsOrigin + context.Request.Path + context.Request.QueryString;
        return Task.CompletedTask;
    }

    private static Task SecurityHeaders(HttpContext context, Func<Task> next)
    {
        // The dashboard's own pages; proxied web apps set their own headers.
        var first = context.Request.Path.Value?.Split('/', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? "";
        if (first.Length == 0 || Reserved.Contains(first))
        {
            context.Response.Headers.XContentTypeOptions = "nosniff";
            context.Response.Headers.XFrameOptions = "DENY";
            // same-origin, not no-referrer: under no-referrer browsers send "Origin: null" with the pages' own form posts,
            // which the origin check (BrowserGuard) must refuse.
            context.Response.Headers["Referrer-Policy"] = "same-origin";
            context.Response.Headers.ContentSecurityPolicy = "default-src 'self'; style-src 'self'; script-src 'self'; connect-src 'self'";
        }

        return next();
    }

    private static Task Page(HttpContext context, string page, string title, string? service)
    {
        context.Response.ContentType = "text/html; charset=utf-8";
        var user = Micro.Edge.Auth.EdgeAuthMiddleware.IdentityOf(context)?.Subject;
        return context.Response.WriteAsync(PageShell.Render(page, title, service, user: user, csrf: DashboardCsrf.TokenOf(context)), context.RequestAborted);
    }

    private static async Task StaticFile(HttpContext context, string file)
    {
        await using var stream = typeof(DashboardServer).Assembly.GetManifestResourceStream("wwwroot/" + file);
        if (stream is null)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        context.Response.ContentType = Path.GetExtension(file) switch
        {
            ".js" => "text/javascript; charset=utf-8",
            ".css" => "text/css; charset=utf-8",
            ".svg" => "image/svg+xml",
            _ => "application/octet-stream",
        };
        context.Response.Headers.CacheControl = "no-cache";
        await stream.CopyToAsync(context.Response.Body, context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>Server-sent events: one <c>registry</c> event per change, and a comment every 15 s to keep proxies from closing it.</summary>
    private static async Task EventsAsync(HttpContext context, RegistryFeed feed)
    {
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        var channel = feed.Listen();
        var stopping = context.RequestServices.GetRequiredService<Microsoft.Extensions.Hosting.IHostApplicationLifetime>().ApplicationStopping;
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping); // shutting down ends open feeds
        try
        {
            await context.Response.WriteAsync(": connected\n\n", ended.Token).ConfigureAwait(false);
            await context.Response.Body.FlushAsync(ended.Token).ConfigureAwait(false);
            while (!ended.IsCancellationRequested)
            {
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(ended.Token);
                wait.CancelAfter(TimeSpan.FromSeconds(15));
                string text;
                try
                {
                    text = await channel.Reader.ReadAsync(wait.Token).ConfigureAwait(false) is { } change ? $"event: registry\ndata: {change}\n\n" : "";
                }
                catch (OperationCanceledException) when (!ended.IsCancellationRequested)
                {
                    text = ": keep-alive\n\n";
                }

                await context.Response.WriteAsync(text, ended.Token).ConfigureAwait(false);
                await context.Response.Body.FlushAsync(ended.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // the page was closed
        }
        finally
        {
            feed.Forget(channel);
        }
    }

    /// <summary><c>/{name}/...</c>: a node of web app <c>{namespace}.{name}</c>, the prefix stripped and sent as <c>X-Micro-Web-Base-Path</c>.</summary>
    private static async Task WebAppAsync(HttpContext context, WebOptions options, NodeForwarder forwarder)
    {
        var name = context.Request.Path.Value?.Split('/', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
        if (name is null || Reserved.Contains(name))
        {
            await NotFoundAsync(context, "There is no such page.").ConfigureAwait(false);
            return;
        }

        try
        {
            await forwarder.ForwardAsync(context, options.Namespace + "." + name, "/" + name, null).ConfigureAwait(false);
        }
        catch (MicroException e) when (e.Code == 404)
        {
            await NotFoundAsync(context, $"No web app named '{name}' is registered (as {options.Namespace}.{name}).").ConfigureAwait(false);
        }
        catch (MicroException e)
        {
            context.Response.StatusCode = e.Code is >= 400 and <= 599 ? e.Code : 502;
            await context.Response.WriteAsync(e.Detail, context.RequestAborted).ConfigureAwait(false);
        }
    }

    private static Task NotFoundAsync(HttpContext context, string message)
    {
        context.Response.StatusCode = StatusCodes.Status404NotFound;
        context.Response.ContentType = "text/html; charset=utf-8";
        return context.Response.WriteAsync(PageShell.Render("notfound", "Not found", null, message), context.RequestAborted);
    }

    public async ValueTask DisposeAsync()
    {
        await _feed.DisposeAsync().ConfigureAwait(false);
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        _forwarder.Dispose();
        if (_apps is { } apps)
        {
            await apps.App.StopAsync().ConfigureAwait(false);
            await apps.App.DisposeAsync().ConfigureAwait(false);
            apps.Forwarder.Dispose();
        }
    }
}
