using System.Net;
using Micro.Transport.Tcp;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Micro.Transport.Http;

/// <summary>A minimal Kestrel app on one endpoint (port 0 for a free one), started, with the address it really bound.</summary>
public static class KestrelEndpoint
{
    /// <param name="endPoint">Where to listen.</param>
    /// <param name="map">Adds the routes.</param>
    /// <param name="configure">More Kestrel settings (limits, header encodings).</param>
    /// <returns>The running app and its bound address as <c>host:port</c>.</returns>
    public static Task<(WebApplication App, string Address)> StartAsync(IPEndPoint endPoint, Action<WebApplication> map,
        Action<KestrelServerOptions>? configure = null, CancellationToken cancellationToken = default)
        => StartAsync(endPoint, map, configure, null, cancellationToken);

    /// <param name="endPoint">Where to listen.</param>
    /// <param name="map">Adds the middleware and routes.</param>
    /// <param name="configure">More Kestrel settings (limits, header encodings).</param>
    /// <param name="services">Services the app needs (forwarder, CORS...).</param>
    /// <param name="cancellationToken">Cancels starting.</param>
    public static Task<(WebApplication App, string Address)> StartAsync(IPEndPoint endPoint, Action<WebApplication> map,
        Action<KestrelServerOptions>? configure, Action<IServiceCollection>? services, CancellationToken cancellationToken = default)
        => StartAsync(endPoint, map, configure, services, null, cancellationToken);

    /// <param name="endPoint">Where to listen.</param>
    /// <param name="map">Adds the middleware and routes.</param>
    /// <param name="configure">More Kestrel settings (limits, header encodings).</param>
    /// <param name="services">Services the app needs (forwarder, CORS...).</param>
    /// <param name="tls">HTTPS on the endpoint (null: plain HTTP).</param>
    /// <param name="cancellationToken">Cancels starting.</param>
    public static async Task<(WebApplication App, string Address)> StartAsync(IPEndPoint endPoint, Action<WebApplication> map,
        Action<KestrelServerOptions>? configure, Action<IServiceCollection>? services, TransportTls? tls, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(map);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(endPoint, listen =>
            {
                if (tls is not null)
                {
                    listen.UseHttps(tls.ConfigureKestrel);
                }
            });
            k.AddServerHeader = false;
            configure?.Invoke(k);
        });
        services?.Invoke(builder.Services);
        var app = builder.Build();
        map(app);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var bound = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return (app, TcpAddress.Format(new IPEndPoint(IPAddress.Parse(bound.Host.Trim('[', ']')), bound.Port)));
    }
}
