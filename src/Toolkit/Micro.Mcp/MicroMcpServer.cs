using Microsoft.Extensions.Logging;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Micro.Mcp;

/// <summary>An MCP server over one transport (stdio for <c>micro mcp</c>, a stream pair in tests) listing and calling the registry's tools.</summary>
public static class MicroMcpServer
{
    /// <summary>The server's options: the registry's tools (their changes become <c>notifications/tools/list_changed</c>).</summary>
    public static McpServerOptions Options(RegistryTools tools, McpOptions options)
    {
        ArgumentNullException.ThrowIfNull(tools);
        ArgumentNullException.ThrowIfNull(options);
        return new McpServerOptions
        {
            ServerInfo = new Implementation { Name = options.ServerName, Version = typeof(MicroMcpServer).Assembly.GetName().Version?.ToString(3) ?? "0.0.0" },
            Capabilities = new ServerCapabilities { Tools = new ToolsCapability { ListChanged = true } },
            ToolCollection = tools.Tools,
        };
    }

    /// <summary>Serves one session over <paramref name="transport"/> until it ends or <paramref name="cancellationToken"/> is cancelled.</summary>
    public static async Task RunAsync(ITransport transport, RegistryTools tools, McpOptions options, ILoggerFactory loggerFactory, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tools);
        var server = McpServer.Create(transport, Options(tools, options), loggerFactory);
        var logger = loggerFactory.CreateLogger(typeof(MicroMcpServer));
        void Notify() => _ = NotifyAsync(server, logger, cancellationToken);
        tools.Changed += Notify;
        try
        {
            await using (server.ConfigureAwait(false))
            {
                await server.RunAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            tools.Changed -= Notify;
        }
    }

    /// <summary>Tells this session's client the tools changed; a session already gone is not an error worth more than a debug line.</summary>
    private static async Task NotifyAsync(McpServer server, ILogger logger, CancellationToken cancellationToken)
    {
        try
        {
            await server.SendNotificationAsync(NotificationMethods.ToolListChangedNotification, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            logger.LogDebug("tools/list_changed not sent: {Reason}", e.Message);
        }
    }
}
