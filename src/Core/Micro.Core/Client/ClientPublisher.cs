using System.Diagnostics;
using Micro.Broker;
using Micro.Diagnostics;

namespace Micro.Client;

/// <summary>Publishes messages on the client's broker, with a producer span whose context travels in the message.</summary>
internal sealed class ClientPublisher(IBroker? broker, string? fromService)
{
    public ValueTask PublishAsync(MicroMessage message, PublishOptions? options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (string.IsNullOrWhiteSpace(message.Topic))
        {
            throw MicroException.BadRequest(MicroClient.ClientId, "a message needs a topic");
        }

        var on = broker ?? throw new InvalidOperationException("This client has no broker: configure one (--broker) to publish.");
        var header = RequestHeaders.ForMessage(message, options, fromService);
        return MicroTelemetry.Source.HasListeners() || MicroTelemetry.BrokerPublished.Enabled
            ? PublishInstrumentedAsync(on, message.Topic, header, message.Body, cancellationToken)
            : on.PublishAsync(message.Topic, new BrokerMessage(header, message.Body), cancellationToken);
    }

    /// <summary>A producer span whose context travels in the message, so the deliveries continue the trace.</summary>
    private static async ValueTask PublishInstrumentedAsync(IBroker broker, string topic, Dictionary<string, string> header, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        using var activity = MicroTelemetry.Source.StartActivity(topic + " publish", ActivityKind.Producer);
        activity?.SetTag("messaging.system", broker.Name);
        activity?.SetTag("messaging.destination.name", topic);
        TraceContext.Inject(activity, header);
        try
        {
            await broker.PublishAsync(topic, new BrokerMessage(header, body), cancellationToken).ConfigureAwait(false);
            MicroTelemetry.BrokerPublished.Add(1, new KeyValuePair<string, object?>("topic", topic));
        }
        catch (Exception e)
        {
            activity?.SetStatus(ActivityStatusCode.Error, e.Message);
            throw;
        }
    }
}
