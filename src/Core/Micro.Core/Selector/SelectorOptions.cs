namespace Micro.Selector;

/// <summary>Settings of the registry selector (section <c>Micro:Selector</c>). Immutable; change with <c>with { ... }</c>.</summary>
public sealed record SelectorOptions
{
    public static SelectorOptions Default { get; } = new();

    /// <summary><c>--selector</c>: <c>random</c> (default), <c>roundrobin</c>, <c>hashed</c>, or <c>blacklist</c> (random; every strategy skips failing nodes).</summary>
    public string Strategy { get; init; } = "random";

    /// <summary>Consecutive failures after which a node is skipped. 0 turns the blacklist off.</summary>
    public int BlacklistFailures { get; init; } = 3;

    /// <summary>How long a blacklisted node is skipped.</summary>
    public TimeSpan BlacklistDuration { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>A safety net: a cached service is re-read from the registry after this long even without watch events.</summary>
    public TimeSpan CacheTtl { get; init; } = TimeSpan.FromMinutes(1);
}
