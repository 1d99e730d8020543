using Microsoft.Extensions.Logging;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Micro.Mcp;

/// <summary>Serves MCP sessions over a transport given whole (stdio for <c>micro mcp</c>, a stream pair in tests), and tells each session when the tools change.</summary>
public static class MicroMcpServer
{
    /// <summary>Serves one session over <paramref name="transport"/> until it ends or <paramref name="cancellationToken"/> is cancelled.</summary>
    public static async Task RunAsync(ITransport transport, McpToolCalls calls, ILoggerFactory loggerFactory, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(calls);
        var server = McpServer.Create(transport, calls.ServerOptions(), loggerFactory);
        await using (server.ConfigureAwait(false))
        {
            await RunSessionAsync(server, calls.Tools, loggerFactory.CreateLogger(typeof(MicroMcpServer)), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Runs a session the SDK made (stdio, or one Streamable HTTP session), sending it the registry's changes.</summary>
    internal static async Task RunSessionAsync(McpServer server, RegistryTools tools, ILogger logger, CancellationToken cancellationToken)
    {
        void Notify() => _ = NotifyAsync(server, logger, cancellationToken);
        tools.Changed += Notify;
        try
        {
            await server.RunAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            tools.Changed -= Notify;
        }
    }

    /// <summary>Tells this session's client the tools and resources changed; a session already gone is not an error worth more than a debug line.</summary>
    private static async Task NotifyAsync(McpServer server, ILogger logger, CancellationToken cancellationToken)
    {
        try
        {
            await server.SendNotificationAsync(NotificationMethods.ToolListChangedNotification, cancellationToken).ConfigureAwait(false);
            await server.SendNotificationAsync(NotificationMethods.ResourceListChangedNotification, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            logger.LogDebug("list_changed not sent: {Reason}", e.Message);
        }
    }
}
