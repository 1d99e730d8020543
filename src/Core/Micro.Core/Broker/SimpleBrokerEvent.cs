namespace Micro.Broker;

/// <summary>A delivery whose settlement is reported to a callback: (acknowledged, requeue).</summary>
/// <param name="canRedeliver">False for brokers that cannot deliver a message again (core NATS, http).</param>
public sealed class SimpleBrokerEvent(string topic, BrokerMessage message, Func<bool, bool, ValueTask>? onSettle = null, bool canRedeliver = true) : BrokerEvent(topic, message)
{
    public override bool CanRedeliver => canRedeliver;

    protected override ValueTask OnAckAsync(CancellationToken cancellationToken) => onSettle?.Invoke(true, false) ?? ValueTask.CompletedTask;

    protected override ValueTask OnNackAsync(bool requeue, CancellationToken cancellationToken) => onSettle?.Invoke(false, requeue) ?? ValueTask.CompletedTask;
}
