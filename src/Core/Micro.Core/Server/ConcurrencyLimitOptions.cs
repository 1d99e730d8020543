namespace Micro.Server;

/// <summary>
/// How many requests a server handles at once before it answers 503 at once (<c>--server_concurrency_limit</c>): by
/// default an adaptive limit (AIMD on latency, as Netflix's concurrency-limits and Envoy's adaptive concurrency):
/// every <see cref="Window"/> the mean time to handle a request is compared with the best mean of the last
/// <see cref="BaselineWindow"/>; more than <see cref="Tolerance"/> times it (and <see cref="Slack"/> over it) means
/// requests are queueing, and the limit shrinks by a tenth to a half (the further over, the more); otherwise, while requests in flight reach half the limit,
/// it grows by its square root. A request past the limit is refused, never queued, so the server keeps its latency
/// and its memory under any offered load, and callers try another node. Immutable; change with <c>with { ... }</c>.
/// </summary>
public sealed record ConcurrencyLimitOptions
{
    public static ConcurrencyLimitOptions Adaptive { get; } = new();

    /// <summary>A fixed limit: refuse past <paramref name="limit"/> requests in flight, never adapt.</summary>
    public static ConcurrencyLimitOptions Fixed(int limit) => new() { Initial = limit, Min = limit, Max = limit, IsAdaptive = false };

    /// <summary>False for a fixed limit (<see cref="Initial"/>).</summary>
    public bool IsAdaptive { get; init; } = true;

    public int Initial { get; init; } = 64;

    /// <summary>The limit never shrinks below this.</summary>
    public int Min { get; init; } = 4;

    public int Max { get; init; } = 4096;

    /// <summary>How much slower than its best recent mean a window may be before the limit shrinks.</summary>
    public double Tolerance { get; init; } = 2;

    /// <summary>Slowing by less than this never shrinks the limit (scheduling noise of microsecond handlers is not queueing).</summary>
    public TimeSpan Slack { get; init; } = TimeSpan.FromMilliseconds(1);

    /// <summary>How often the limit is reconsidered.</summary>
    public TimeSpan Window { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>How far back the best mean (the server's latency without queueing) is remembered.</summary>
    public TimeSpan BaselineWindow { get; init; } = TimeSpan.FromSeconds(30);
}
