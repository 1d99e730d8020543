namespace Micro.Client;

/// <summary>
/// How idempotent calls are hedged (gRPC's hedging, Finagle's backup requests): when the first attempt has not
/// answered after <see cref="Delay"/> (by default the 95th percentile of that endpoint's recent latency, so about one
/// call in twenty is hedged), a second attempt goes to another node; the first success wins and the other attempt is
/// cancelled, on its server too. Hedges draw on the retry budget, so a struggling service is not sent them all.
/// Immutable; change with <c>with { ... }</c>.
/// </summary>
public sealed record HedgingOptions
{
    public static HedgingOptions Default { get; } = new();

    /// <summary>A fixed delay before the hedge; null (default) uses the endpoint's observed 95th percentile.</summary>
    public TimeSpan? Delay { get; init; }

    /// <summary>
    /// The shortest delay before a hedge, whatever the percentile says: a hedge sooner than this costs load for little
    /// gain (and a timer finer than about a millisecond fires at once).
    /// </summary>
    public TimeSpan MinDelay { get; init; } = TimeSpan.FromMilliseconds(5);

    /// <summary>Latencies of an endpoint seen before its percentile is trusted; until then its calls are not hedged.</summary>
    public int MinSamples { get; init; } = 8;
}
