using Microsoft.Extensions.Logging;

namespace Micro.Broker;

/// <summary>
/// Runs a handler for a delivery with the subscription's acknowledgement rules, the same for every broker:
/// <list type="bullet">
/// <item>auto-ack acknowledges when the handler returns; manual leaves it to the handler;</item>
/// <item>a message that cannot be decoded (<see cref="MessageDecodeException"/>) goes to the dead-letter topic at once:
///   delivering it again cannot help;</item>
/// <item>a handler that throws gets the message again after a growing wait, up to <see cref="SubscribeOptions.MaxDeliver"/>
///   deliveries; then (or at once on a broker that cannot redeliver) it goes to the dead-letter topic
///   (<c>&lt;topic&gt;.dead</c>), with headers saying why, so one bad message never loops and none is lost silently.</item>
/// </list>
/// </summary>
public static class Deliveries
{
    /// <summary>Headers a dead letter carries beside the original ones.</summary>
    public const string DeadReasonHeader = "Micro-Dead-Reason";
    public const string DeadTopicHeader = "Micro-Dead-Topic";
    public const string DeadDeliveriesHeader = "Micro-Dead-Deliveries";

    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    /// <param name="handler">The subscriber.</param>
    /// <param name="delivery">The message as delivered.</param>
    /// <param name="options">The subscription's rules.</param>
    /// <param name="logger">Where failures are said.</param>
    /// <param name="deadLetters">Where dead letters are published (the subscription's own broker); null drops them, said in the log.</param>
    /// <param name="cancellationToken">Stops the handler.</param>
    public static async ValueTask<bool> DeliverAsync(BrokerHandler handler, BrokerEvent delivery, SubscribeOptions options, ILogger logger, IBroker? deadLetters, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(handler);
        ArgumentNullException.ThrowIfNull(delivery);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        try
        {
            await handler(delivery, cancellationToken).ConfigureAwait(false);
            if (options.AutoAck)
            {
                await delivery.AckAsync(cancellationToken).ConfigureAwait(false);
            }

            return true;
        }
        catch (MessageDecodeException e)
        {
            // No stack trace: the message is at fault, not the code, and it is kept where it can be looked at.
            logger.LogWarning("Subscriber of {Topic} cannot decode a message: {Reason}", delivery.Topic, e.Message);
            await DeadLetterAsync(delivery, options, "undecodable: " + e.Message, deadLetters, logger, cancellationToken).ConfigureAwait(false);
            return false;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            if (delivery.IsSettled)
            {
                logger.LogWarning(e, "Subscriber of {Topic} failed after settling the message", delivery.Topic);
                return false;
            }

            var again = options.RequeueOnError && delivery.CanRedeliver && delivery.DeliveryCount < Math.Max(1, options.MaxDeliver);
            if (again)
            {
                var wait = Backoff(options.RetryBackoff, delivery.DeliveryCount);
                logger.LogWarning(e, "Subscriber of {Topic} failed (delivery {Delivery} of {Max}); delivered again in {Wait} ms",
                    delivery.Topic, delivery.DeliveryCount, options.MaxDeliver, (int)wait.TotalMilliseconds);
                try
                {
                    await delivery.RedeliverAsync(wait, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception failed) when (failed is not OperationCanceledException)
                {
                    logger.LogWarning(failed, "Could not hand message of {Topic} back for redelivery", delivery.Topic);
                }

                return false;
            }

            logger.LogWarning(e, "Subscriber of {Topic} failed (delivery {Delivery}); the message goes to the dead-letter topic", delivery.Topic, delivery.DeliveryCount);
            await DeadLetterAsync(delivery, options, $"failed {delivery.DeliveryCount} time(s): {e.Message}", deadLetters, logger, cancellationToken).ConfigureAwait(false);
            return false;
        }
    }

    /// <summary>The wait before delivery <paramref name="delivered"/> + 1: <paramref name="first"/> doubled per delivery, capped at 30 s.</summary>
    public static TimeSpan Backoff(TimeSpan first, int delivered)
    {
        var factor = Math.Pow(2, Math.Clamp(delivered - 1, 0, 20));
        var wait = TimeSpan.FromTicks((long)Math.Min(first.Ticks * factor, MaxBackoff.Ticks));
        return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
    }

    private static async ValueTask DeadLetterAsync(BrokerEvent delivery, SubscribeOptions options, string reason, IBroker? deadLetters, ILogger logger, CancellationToken cancellationToken)
    {
        var topic = options.DeadLetterTopicFor(delivery.Topic);
        if (topic is null || deadLetters is null || delivery.Topic == topic || delivery.Message.Headers.ContainsKey(DeadReasonHeader))
        {
            // Off, nowhere to publish, or already a dead letter: never a dead letter of a dead letter.
            logger.LogWarning("Dropping a message of {Topic}: {Reason}", delivery.Topic, reason);
            await SettleAsync(delivery, ack: false, requeue: false, logger, cancellationToken).ConfigureAwait(false);
            return;
        }

        var header = new Dictionary<string, string>(delivery.Message.Headers, StringComparer.OrdinalIgnoreCase)
        {
            [DeadReasonHeader] = reason.Length <= 1024 ? reason : reason[..1024],
            [DeadTopicHeader] = delivery.Topic,
            [DeadDeliveriesHeader] = delivery.DeliveryCount.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        try
        {
            await deadLetters.PublishAsync(topic, new BrokerMessage(header, delivery.Message.Body), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Not lost: a broker that keeps messages hands it back and it comes again.
            logger.LogError(e, "Could not publish a dead letter of {Topic} to {DeadTopic}; the message is handed back", delivery.Topic, topic);
            await SettleAsync(delivery, ack: false, requeue: delivery.CanRedeliver, logger, cancellationToken).ConfigureAwait(false);
            return;
        }

        await SettleAsync(delivery, ack: true, requeue: false, logger, cancellationToken).ConfigureAwait(false);
    }

    private static async ValueTask SettleAsync(BrokerEvent delivery, bool ack, bool requeue, ILogger logger, CancellationToken cancellationToken)
    {
        try
        {
            if (ack)
            {
                await delivery.AckAsync(cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await delivery.NackAsync(requeue, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning(e, "Could not settle a message of {Topic}", delivery.Topic);
        }
    }
}
