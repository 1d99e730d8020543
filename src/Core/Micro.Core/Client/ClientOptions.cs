using Micro.Codec;

namespace Micro.Client;

/// <summary>Client defaults. Immutable; change with <c>with { ... }</c>.</summary>
public sealed record ClientOptions
{
    public static ClientOptions Default { get; } = new();

    /// <summary>Retries after the first attempt (go-micro's default: 1).</summary>
    public int Retries { get; init; } = 1;

    /// <summary>Time allowed for a whole call, all attempts included (go-micro's default: 5 s).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Time allowed for one attempt; null (default) lets one attempt use the whole <see cref="RequestTimeout"/>. Set it
    /// below the request timeout so a hung or very slow node costs one attempt, is marked failed, and the retry goes to
    /// another node within the same call (<c>--client_attempt_timeout</c>).
    /// </summary>
    public TimeSpan? AttemptTimeout { get; init; }

    /// <summary>
    /// How many retries the client may make to each service (<c>--client_retry_budget</c>): by default 20% of calls over
    /// 10 s, or 10 per second when that is more. Null retries every retryable failure up to <see cref="Retries"/>.
    /// </summary>
    public RetryBudgetOptions? RetryBudget { get; init; } = RetryBudgetOptions.Default;

    /// <summary>
    /// Hedging of idempotent endpoints (<c>--client_hedge_delay</c>): a second attempt to another node after a delay,
    /// the first answer wins and the other is cancelled. On by default (it only applies to endpoints marked
    /// <see cref="IdempotentAttribute"/> or calls with <see cref="CallOptions.Idempotent"/>); null turns it off.
    /// </summary>
    public HedgingOptions? Hedging { get; init; } = HedgingOptions.Default;

    /// <summary>Which failures are worth another attempt: by default transport errors, 408, 500 and 503.</summary>
    public Func<MicroException, bool> ShouldRetry { get; init; } = DefaultShouldRetry;

    /// <summary>Wait before retry number <c>attempt</c> (1-based): by default 10^attempt ms (10 ms, 100 ms, 1 s...).</summary>
    public Func<int, TimeSpan> Backoff { get; init; } = DefaultBackoff;

    /// <summary>Content type used by typed calls.</summary>
    public string ContentType { get; init; } = JsonCodec.MediaType;

    /// <summary>Sent as <c>Micro-From-Service</c> when the client belongs to a service.</summary>
    public string? FromService { get; init; }

    public static bool DefaultShouldRetry(MicroException error)
        => error.IsTransportError || error.Code is 408 or 500 or 503;

    public static TimeSpan DefaultBackoff(int attempt)
        => attempt <= 0 ? TimeSpan.Zero : TimeSpan.FromMilliseconds(Math.Min(Math.Pow(10, attempt), 10_000));
}
