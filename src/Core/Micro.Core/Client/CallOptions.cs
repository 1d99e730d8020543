using Micro.Selector;

namespace Micro.Client;

/// <summary>Per-call settings; anything left null takes the client's default.</summary>
public sealed record CallOptions
{
    public static CallOptions Default { get; } = new();

    /// <summary>The time the whole call (all attempts) may take. A caller's deadline that is sooner wins.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>Retries after the first attempt.</summary>
    public int? Retries { get; init; }

    /// <summary>Overrides <see cref="ClientOptions.AttemptTimeout"/> for this call.</summary>
    public TimeSpan? AttemptTimeout { get; init; }

    /// <summary>Call this node address directly, bypassing the selector.</summary>
    public string? Address { get; init; }

    /// <summary>The key the hashed selector routes by (same key, same node).</summary>
    public string? SelectKey { get; init; }

    public SelectFilter? Filter { get; init; }

    /// <summary>Sent as headers; the server sees them as request metadata.</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    /// <summary>
    /// True: this call may run twice, so it may be hedged even if its endpoint is not marked <see cref="IdempotentAttribute"/>;
    /// false: never hedge it. Null (default): as the endpoint's registry metadata says.
    /// </summary>
    public bool? Idempotent { get; init; }

    /// <summary>Overrides <see cref="HedgingOptions.Delay"/> for this call.</summary>
    public TimeSpan? HedgeDelay { get; init; }

    /// <summary>The content type the reply should come in (defaults to the request's).</summary>
    public string? Accept { get; init; }
}
