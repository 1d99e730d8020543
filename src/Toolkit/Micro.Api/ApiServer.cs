using System.Net;
using Micro.Client;
using Micro.Hosting;
using Micro.Registry;
using Micro.Selector;
using Micro.Transport.Http;
using Micro.Transport.Tcp;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Micro.Api;

/// <summary>
/// <c>micro api</c>: the gateway (<c>AddMicroGateway</c> + <c>MapMicroGateway</c>) alone on its own Kestrel, against an
/// environment (registry, selector, client, broker).
/// </summary>
public sealed class ApiServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ApiServer(WebApplication app, string address)
    {
        _app = app;
        Address = address;
    }

    /// <summary>The address really bound, <c>host:port</c>.</summary>
    public string Address { get; }

    public static Task<ApiServer> StartAsync(ApiOptions options, MicroEnvironment environment, ILoggerFactory? loggerFactory = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(environment);
        return StartAsync(options with { AllowLinkLocal = options.AllowLinkLocal || environment.Settings.AllowLinkLocal }, environment.Client, environment.Registry, environment.Selector, loggerFactory, cancellationToken);
    }

    /// <summary>Starts the gateway over the given client (calls and publishes), registry and selector.</summary>
    public static async Task<ApiServer> StartAsync(ApiOptions options, IMicroClient client, IRegistry registry, ISelector selector,
        ILoggerFactory? loggerFactory = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        loggerFactory ??= NullLoggerFactory.Instance;
        var endPoint = await TcpAddress.ResolveAsync(options.Address, cancellationToken).ConfigureAwait(false);
        if (!IPAddress.IsLoopback(endPoint.Address) && options.Authenticator is null)
        {
            // A gateway is meant to face callers elsewhere, so this is allowed; said once, loudly.
            loggerFactory.CreateLogger<ApiServer>().LogWarning("micro api listens on {Address} with no --auth: anyone who reaches it can call the services it exposes", options.Address);
        }

        // A thin host: the same AddMicroGateway/MapMicroGateway any ASP.NET Core app can use, alone on its own Kestrel.
        var (app, bound) = await KestrelEndpoint.StartAsync(endPoint, app =>
        {
            if (options.CorsAllowedOrigins.Count > 0)
            {
                app.UseCors();
            }

            app.UseWebSockets();
            app.MapMicroGateway(); // every path, every method: the gateway routes by itself
        }, kestrel => kestrel.Limits.MaxRequestBodySize = options.MaxBodyBytes, services =>
        {
            services.AddSingleton(client);
            services.AddSingleton(registry);
            services.AddSingleton<ISelector>(selector);
            services.AddSingleton(loggerFactory);
            services.AddMicroGateway(options);
            services.AddCors(cors => cors.AddDefaultPolicy(policy => ConfigureCors(policy, options)));
        }, options.Tls, cancellationToken).ConfigureAwait(false);
        return new ApiServer(app, bound);
    }

    private static void ConfigureCors(CorsPolicyBuilder policy, ApiOptions options)
    {
        if (options.CorsAllowedOrigins.Contains("*"))
        {
            policy.AllowAnyOrigin();
        }
        else
        {
            policy.WithOrigins([.. options.CorsAllowedOrigins]);
        }

        policy.WithMethods([.. options.CorsAllowedMethods]).WithHeaders([.. options.CorsAllowedHeaders]);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
