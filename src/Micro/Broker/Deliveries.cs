using Microsoft.Extensions.Logging;

namespace Micro.Broker;

/// <summary>Runs a handler for a delivery with the subscription's acknowledgement rules (shared by every broker).</summary>
public static class Deliveries
{
    /// <summary>
    /// Auto-ack: acknowledged when the handler returns. Manual: the handler acknowledges. Either way a handler that throws
    /// fails the message (requeued when the options say so), and the exception is logged, not rethrown.
    /// </summary>
    public static async ValueTask<bool> RunAsync(BrokerHandler handler, BrokerEvent delivery, SubscribeOptions options, ILogger logger, CancellationToken cancellationToken)
    {
        try
        {
            await handler(delivery, cancellationToken).ConfigureAwait(false);
            if (options.AutoAck)
            {
                await delivery.AckAsync(cancellationToken).ConfigureAwait(false);
            }

            return true;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning(e, "Subscriber of {Topic} failed; message {Outcome}", delivery.Topic, options.RequeueOnError ? "requeued" : "dropped");
            try
            {
                await delivery.NackAsync(options.RequeueOnError, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception nackError) when (nackError is not OperationCanceledException)
            {
                logger.LogWarning(nackError, "Could not fail message of {Topic}", delivery.Topic);
            }

            return false;
        }
    }
}
