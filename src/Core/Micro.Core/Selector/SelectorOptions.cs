namespace Micro.Selector;

/// <summary>Settings of the registry selector (section <c>Micro:Selector</c>). Immutable; change with <c>with { ... }</c>.</summary>
public sealed record SelectorOptions
{
    public static SelectorOptions Default { get; } = new();

    /// <summary>
    /// <c>--selector</c>: <c>random</c> (default), <c>roundrobin</c>, <c>hashed</c>, <c>p2c</c> (power of two choices over
    /// latency and load), or <c>blacklist</c> (random; every strategy skips ejected nodes).
    /// </summary>
    public string Strategy { get; init; } = "random";

    /// <summary>Consecutive failures after which a node is ejected (go-micro's blacklist). 0 turns it off.</summary>
    public int EjectAfterFailures { get; init; } = 3;

    /// <summary>How long a node's first ejection lasts; each further one lasts this times the number of ejections.</summary>
    public TimeSpan EjectionTime { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The longest an ejection lasts, however many there were.</summary>
    public TimeSpan MaxEjectionTime { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>At most this share of a service's nodes is ejected at once (at least one of two or more); the rest take the load.</summary>
    public double MaxEjectedShare { get; init; } = 0.5;

    /// <summary>How often each service's nodes are compared with each other for success-rate and latency outliers.</summary>
    public TimeSpan OutlierInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>A node is compared only when it had at least this many attempts in the interval.</summary>
    public int OutlierMinRequests { get; init; } = 10;

    /// <summary>A node whose success rate in the interval is below this share of the service's median is ejected. 0 turns it off.</summary>
    public double SuccessRateOutlier { get; init; } = 0.9;

    /// <summary>A node whose latency average is over this many times the service's median (and over <see cref="LatencyOutlierMin"/>) is ejected. 0 turns it off.</summary>
    public double LatencyOutlier { get; init; } = 10;

    /// <summary>The latency below which no node is a latency outlier, however fast the others are.</summary>
    public TimeSpan LatencyOutlierMin { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>How fast the latency average forgets: an answer's weight halves about every 0.7 of this.</summary>
    public TimeSpan LatencyDecay { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>A safety net: a cached service is re-read from the registry after this long even without watch events.</summary>
    public TimeSpan CacheTtl { get; init; } = TimeSpan.FromMinutes(1);
}
