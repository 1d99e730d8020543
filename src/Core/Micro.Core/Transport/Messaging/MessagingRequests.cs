using Microsoft.Extensions.Logging;

namespace Micro.Transport;

/// <summary>The client half of request/reply over a message system, shared by the NATS and RabbitMQ transports.</summary>
public static class MessagingRequests
{
    /// <summary>A notice to the node that the caller gave up on request <c>Micro-Id</c>: its handler is cancelled.</summary>
    public const string CancelHeader = "Micro-Cancel";

    /// <summary>Tells the node at <paramref name="address"/> that request <paramref name="id"/> was abandoned (best effort: a failure is only logged).</summary>
    public static async Task SendCancelAsync(Func<string, Dictionary<string, string>, Task> publish, string address, string? id, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(publish);
        if (id is null)
        {
            return;
        }

        try
        {
            await publish(address, new Dictionary<string, string> { [CancelHeader] = id }).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            logger.LogDebug(e, "Could not send the cancel notice for {Id}", id);
        }
    }
}
