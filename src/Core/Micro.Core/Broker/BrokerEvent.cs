namespace Micro.Broker;

/// <summary>One delivery to a subscriber.</summary>
public abstract class BrokerEvent
{
    protected BrokerEvent(string topic, BrokerMessage message)
    {
        Topic = topic;
        Message = message;
    }

    public string Topic { get; }

    public BrokerMessage Message { get; }

    /// <summary>Which delivery of this message this is (1 the first), as far as the broker knows.</summary>
    public int DeliveryCount { get; init; } = 1;

    /// <summary>True when a failed message can be delivered again by this broker (false: core NATS, http).</summary>
    public virtual bool CanRedeliver => true;

    /// <summary>
    /// Fails this delivery so that the message comes again after <paramref name="delay"/>, counted as delivery
    /// <see cref="DeliveryCount"/> + 1. By default: wait, then <see cref="NackAsync"/> with requeue.
    /// </summary>
    public virtual async ValueTask RedeliverAsync(TimeSpan delay, CancellationToken cancellationToken = default)
    {
        await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
        await NackAsync(requeue: true, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The message as <typeparamref name="T"/> by its content type; a failure is a <see cref="MessageDecodeException"/>.</summary>
    public T Decode<T>(Codec.CodecRegistry? codecs = null)
    {
        var contentType = Message.Headers.GetValueOrDefault(Transport.MicroHeaders.ContentType) ?? Codec.JsonCodec.MediaType;
        try
        {
            return (codecs ?? Codec.CodecRegistry.Default).Get(contentType).Decode<T>(Message.Body);
        }
        catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
        {
            throw new MessageDecodeException($"a message of {Topic} ({contentType}) is not a {typeof(T).Name}: {e.Message}", e);
        }
    }

    /// <summary>True once acknowledged or failed (the second call of either is ignored).</summary>
    public bool IsSettled { get; private set; }

    public ValueTask AckAsync(CancellationToken cancellationToken = default)
    {
        if (IsSettled)
        {
            return ValueTask.CompletedTask;
        }

        IsSettled = true;
        return OnAckAsync(cancellationToken);
    }

    /// <summary>Says the message failed; with <paramref name="requeue"/> a broker that can redelivers it.</summary>
    public ValueTask NackAsync(bool requeue = true, CancellationToken cancellationToken = default)
    {
        if (IsSettled)
        {
            return ValueTask.CompletedTask;
        }

        IsSettled = true;
        return OnNackAsync(requeue, cancellationToken);
    }

    /// <summary>For a broker's own settling (a NAK with a delay, a republish): marks it settled; false when it already was.</summary>
    protected bool TrySettle()
    {
        if (IsSettled)
        {
            return false;
        }

        IsSettled = true;
        return true;
    }

    protected abstract ValueTask OnAckAsync(CancellationToken cancellationToken);

    protected abstract ValueTask OnNackAsync(bool requeue, CancellationToken cancellationToken);
}
