using Micro.Client;
using Micro.Edge;
using Micro.Edge.Auth;
using Micro.Mcp;
using Micro.Registry;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.AspNetCore;

// In this namespace, as ASP.NET Core's own Add... methods are, so that services.AddMicroMcp() is found without a using.
namespace Microsoft.Extensions.DependencyInjection;

public static class MicroMcpServiceCollectionExtensions
{
    /// <summary>
    /// Adds the MCP server of <c>micro mcp</c> to an app that also calls <c>AddMicro()</c>: the registry's endpoints as
    /// tools, called through the app's <see cref="IMicroClient"/>. Serve it with <c>app.MapMicroMcp("/mcp")</c> (Streamable
    /// HTTP), beside the app's own endpoints. The registry is watched while the app runs.
    /// </summary>
    public static IServiceCollection AddMicroMcp(this IServiceCollection services, McpOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        options = (options ?? McpOptions.Default).Validate();
        services.TryAddSingleton(sp => new RegistryTools(sp.GetRequiredService<IRegistry>(), options, sp.GetRequiredService<ILoggerFactory>().CreateLogger<RegistryTools>()));
        services.TryAddSingleton(sp => new McpToolCalls(sp.GetRequiredService<RegistryTools>(), sp.GetRequiredService<IMicroClient>(), options,
            sp.GetRequiredService<ILoggerFactory>(), sp.GetService<TimeProvider>()));
        services.TryAddSingleton(sp =>
        {
            var logging = sp.GetRequiredService<ILoggerFactory>();
            return new McpHttpGuard(
                new BrowserGuard(McpErrors.Id, LoopbackHostRule.OnLoopbackConnections, new HashSet<string>(), logging.CreateLogger<BrowserGuard>()),
                new EdgeAuthMiddleware(options.Authenticator, McpErrors.Id, logging.CreateLogger<EdgeAuthMiddleware>()));
        });
        services.TryAddSingleton(new MicroMcpMapping(options));
        services.AddHostedService<RegistryToolsService>();
        services.AddMcpServer().WithHttpTransport(http =>
        {
            // Sessions, so that a client hears notifications/tools/list_changed on its GET stream when services come and go.
            http.SessionMode = HttpServerSessionMode.Stateful;
            http.ConfigureSessionOptions = (context, server, _) =>
            {
                context.RequestServices.GetRequiredService<McpToolCalls>().Configure(server);
                return Task.CompletedTask;
            };
            // The SDK's one hook that sees each session's server from start to end, which list_changed needs (marked
            // experimental in 2.4.0; tests cover what we use of it).
#pragma warning disable MCPEXP002
            http.RunSessionHandler = (context, server, cancellationToken) =>
            {
                var sp = context.RequestServices;
                return MicroMcpServer.RunSessionAsync(server, sp.GetRequiredService<RegistryTools>(), sp.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(MicroMcpServer)), cancellationToken);
            };
#pragma warning restore MCPEXP002
        });
        return services;
    }

    /// <summary>Reads the registry before the app serves and watches it until the app stops.</summary>
    private sealed class RegistryToolsService(RegistryTools tools) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => tools.StartAsync(cancellationToken);

        public Task StopAsync(CancellationToken cancellationToken) => tools.StopAsync(); // the container disposes it
    }
}

/// <summary>What <c>MapMicroMcp</c> needs to know of <c>AddMicroMcp</c>'s options.</summary>
internal sealed record MicroMcpMapping(McpOptions Options);
