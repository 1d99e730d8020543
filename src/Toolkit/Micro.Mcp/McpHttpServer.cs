using System.Net;
using Micro.Client;
using Micro.Registry;
using Micro.Transport.Http;
using Micro.Transport.Tcp;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Micro.Mcp;

/// <summary><c>micro mcp --address</c>: <c>AddMicroMcp</c> + <c>MapMicroMcp</c> alone on their own Kestrel.</summary>
public sealed class McpHttpServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private McpHttpServer(WebApplication app, string address)
    {
        _app = app;
        Address = address;
    }

    /// <summary>The address really bound, <c>host:port</c>.</summary>
    public string Address { get; }

    /// <summary>
    /// Starts serving at <see cref="McpOptions.Address"/> and <see cref="McpOptions.Path"/>. Off loopback an
    /// authenticator is required (an <see cref="ArgumentException"/> says so); on loopback without one the server is
    /// as open as stdio is to local processes, and says so once.
    /// </summary>
    public static async Task<McpHttpServer> StartAsync(McpOptions options, IMicroClient client, IRegistry registry, ILoggerFactory? loggerFactory = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        loggerFactory ??= NullLoggerFactory.Instance;
        var endPoint = await CheckAddressAsync(options, cancellationToken).ConfigureAwait(false);
        if (options.Authenticator is null)
        {
            loggerFactory.CreateLogger<McpHttpServer>().LogWarning("micro mcp on {Address} with no --auth: any local process can call the services it exposes", options.Address);
            options = options with { Insecure = true };
        }

        var (app, bound) = await KestrelEndpoint.StartAsync(endPoint, app => app.MapMicroMcp(options.Path), kestrel => kestrel.Limits.MaxRequestBodySize = 4 * 1024 * 1024, services =>
        {
            services.AddSingleton(client);
            services.AddSingleton(registry);
            services.AddSingleton(loggerFactory);
            services.AddSingleton(typeof(ILogger<>), typeof(Logger<>));
            services.AddMicroMcp(options);
        }, options.Tls, cancellationToken).ConfigureAwait(false);
        return new McpHttpServer(app, bound);
    }

    /// <summary>
    /// Resolves <see cref="McpOptions.Address"/> and refuses, with an <see cref="ArgumentException"/> naming the flag to
    /// add, an address beyond loopback without an authenticator: a command checks this before it starts anything.
    /// </summary>
    public static async Task<IPEndPoint> CheckAddressAsync(McpOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var endPoint = await TcpAddress.ResolveAsync(options.Address ?? "127.0.0.1:0", cancellationToken).ConfigureAwait(false);
        if (options.Authenticator is null && !IPAddress.IsLoopback(endPoint.Address))
        {
            throw new ArgumentException($"micro mcp --address {options.Address} listens beyond this machine: it needs --auth api_key or jwt, as every tool calls a service");
        }

        return endPoint;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
