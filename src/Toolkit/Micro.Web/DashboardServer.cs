using Micro.Edge;
using Micro.Hosting;
using Micro.Transport.Http;
using Micro.Transport.Tcp;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Yarp.ReverseProxy.Forwarder;

namespace Micro.Web;

/// <summary>
/// <c>micro web</c>: the dashboard (the same endpoints as <c>AddMicroDashboard</c> + <c>MapMicroDashboard</c>) alone on
/// its own Kestrel, against an environment, and with <c>--apps_address</c> a second listener for web apps.
/// </summary>
public sealed class DashboardServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly DashboardEndpoints _dashboard;
    private readonly (WebApplication App, NodeForwarder Forwarder)? _apps;

    private DashboardServer(WebApplication app, string address, DashboardEndpoints dashboard, (WebApplication, NodeForwarder)? apps, string? appsAddress)
    {
        _app = app;
        Address = address;
        _dashboard = dashboard;
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
        var endPoint = await TcpAddress.ResolveAsync(options.Address, cancellationToken).ConfigureAwait(false);
        var loopback = System.Net.IPAddress.IsLoopback(endPoint.Address);
        if (!loopback && options.Authenticator is null && !options.Insecure)
        {
            throw new ArgumentException($"micro web would listen on {options.Address}, beyond this machine, with no --auth: anyone who reaches it could call every service and run the terminal. " +
                "Add --auth api_key|jwt, or --insecure to accept that.");
        }

        var apps = options.AppsAddress is { } appsAddress ? await StartAppsAsync(options, appsAddress, environment, cancellationToken).ConfigureAwait(false) : default;
        var appsOrigin = apps.App is null ? null : $"{(options.Tls is null ? "http" : "https")}://{apps.Address}";
        DashboardEndpoints? dashboard = null;
        // A thin host: the same endpoints MapMicroDashboard puts in an app, alone on their own Kestrel.
        var (app, bound) = await KestrelEndpoint.StartAsync(endPoint, app =>
        {
            dashboard = new DashboardEndpoints(options, environment.Registry, environment.Client, environment.Broker, environment.Selector, environment.Settings,
                app.Services.GetRequiredService<IHttpForwarder>(), loopback ? LoopbackHostRule.Always : LoopbackHostRule.Never, appsOrigin, TimeProvider.System, loggerFactory);
            app.UseWebSockets();
            dashboard.Map(app);
        }, kestrel => kestrel.Limits.MaxRequestBodySize = 10 * 1024 * 1024, services => services.AddHttpForwarder(), options.Tls, cancellationToken).ConfigureAwait(false);
        return new DashboardServer(app, bound, dashboard!, apps.App is null ? null : (apps.App, apps.Forwarder!), apps.Address);
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
                ? EdgeErrors.WriteAsync(context, MicroException.Forbidden("go.micro.web", $"Host '{context.Request.Host}' is not a name of this loopback server"))
                : next());
            app.MapFallback("{**path}", context => DashboardWebApps.ForwardAsync(context, options, web));
        }, kestrel => kestrel.Limits.MaxRequestBodySize = 10 * 1024 * 1024, services => services.AddHttpForwarder(), options.Tls, cancellationToken).ConfigureAwait(false);
        return (app, bound, forwarder);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _dashboard.DisposeAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        if (_apps is { } apps)
        {
            await apps.App.StopAsync().ConfigureAwait(false);
            await apps.App.DisposeAsync().ConfigureAwait(false);
            apps.Forwarder.Dispose();
        }
    }
}
