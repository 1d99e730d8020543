using System.Diagnostics;
using Micro.Broker;
using Micro.Codec;
using Micro.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Micro.Server;

/// <summary>
/// The server's subscribers on its broker: each one subscribed with its middleware, a consumer span (continuing the
/// publisher's trace), <see cref="CallContext.Current"/> and delivery metrics; all unsubscribed on stop.
/// </summary>
internal sealed class SubscriberHost(string service, string nodeId, IBroker? broker, IReadOnlyList<SubscriberDescriptor> subscribers,
    IReadOnlyList<SubscriberMiddleware> middleware, IServiceProvider services, CodecRegistry codecs, ILogger logger)
{
    private readonly List<ISubscription> _subscriptions = [];

    public async Task SubscribeAllAsync(CancellationToken cancellationToken)
    {
        if (subscribers.Count == 0)
        {
            return;
        }

        var on = broker ?? throw new InvalidOperationException("The server has subscribers but no broker to receive their messages.");
        await on.ConnectAsync(cancellationToken).ConfigureAwait(false);
        foreach (var subscriber in subscribers)
        {
            var handler = Observed(subscriber, on, Compose(subscriber.Bind(services, codecs)));
            _subscriptions.Add(await on.SubscribeAsync(subscriber.Topic, handler, subscriber.Options, cancellationToken).ConfigureAwait(false));
            logger.LogInformation("Subscribed {Endpoint} to {Topic}{Queue} on the {Broker} broker", subscriber.Endpoint.Name, subscriber.Topic,
                subscriber.Options.Queue is { } q ? $" (queue {q})" : "", on.Name);
        }
    }

    public async Task UnsubscribeAllAsync()
    {
        foreach (var subscription in _subscriptions)
        {
            try
            {
                await subscription.UnsubscribeAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Unsubscribing from {Topic} failed", subscription.Topic);
            }
        }

        _subscriptions.Clear();
    }

    private BrokerHandler Compose(BrokerHandler handler)
    {
        for (var i = middleware.Count - 1; i >= 0; i--)
        {
            handler = middleware[i](handler);
        }

        return handler;
    }

    private BrokerHandler Observed(SubscriberDescriptor subscriber, IBroker on, BrokerHandler handler)
    {
        var endpoint = subscriber.Endpoint.Name;
        var topic = subscriber.Topic;
        return async (delivery, ct) =>
        {
            // A consumer span, child of the publisher's (its context came in the message).
            using var activity = MicroTelemetry.Source.StartActivity(topic + " process", ActivityKind.Consumer, TraceContext.Extract(delivery.Message.Headers));
            activity?.SetTag("messaging.system", on.Name);
            activity?.SetTag("messaging.destination.name", topic);
            activity?.SetTag("micro.subscriber", endpoint);
            CallContext.Current = new CallContext(service, endpoint, delivery.Message.Headers, null, nodeId);
            var outcome = "ok";
            try
            {
                await handler(delivery, ct).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                outcome = "error";
                activity?.SetStatus(ActivityStatusCode.Error, e.Message);
                MicroTelemetry.BrokerDeliveryErrors.Add(1, new KeyValuePair<string, object?>("topic", topic));
                throw;
            }
            finally
            {
                CallContext.Current = null;
                MicroTelemetry.BrokerDelivered.Add(1, new TagList { { "topic", topic }, { "outcome", outcome } });
            }
        };
    }
}
