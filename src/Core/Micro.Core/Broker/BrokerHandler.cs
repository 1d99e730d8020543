namespace Micro.Broker;

/// <summary>Handles one delivered message. Throwing means the message failed (it is not acknowledged).</summary>
public delegate ValueTask BrokerHandler(BrokerEvent delivery, CancellationToken cancellationToken);
