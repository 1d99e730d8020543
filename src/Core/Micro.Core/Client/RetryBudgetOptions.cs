namespace Micro.Client;

/// <summary>
/// How many retries a client may make to one service (Linkerd's and Finagle's retry budget): within any
/// <see cref="Window"/>, retries may be at most <see cref="Ratio"/> of the calls made, or
/// <see cref="MinRetriesPerSecond"/> per second of the window when that is more (the floor, so a client with little
/// traffic can still retry). Past it a call fails with its real error instead of retrying, so a service that is down is
/// not sent the retries of every caller on top of their calls. Immutable; change with <c>with { ... }</c>.
/// </summary>
public sealed record RetryBudgetOptions
{
    public static RetryBudgetOptions Default { get; } = new();

    /// <summary><c>--client_retry_budget</c>: retries as a share of calls (0.2: one retry per five calls).</summary>
    public double Ratio { get; init; } = 0.2;

    /// <summary><c>--client_retry_budget_min</c>: retries per second always allowed, whatever the ratio says.</summary>
    public double MinRetriesPerSecond { get; init; } = 10;

    /// <summary><c>--client_retry_budget_window</c>: how far back calls and retries are counted.</summary>
    public TimeSpan Window { get; init; } = TimeSpan.FromSeconds(10);
}
