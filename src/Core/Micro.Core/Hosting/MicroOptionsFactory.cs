using Micro.Client;
using Micro.Selector;
using Micro.Server;
using Micro.Transport;
using Microsoft.Extensions.Options;

namespace Micro.Hosting;

/// <summary>
/// Builds each component's <see cref="IOptions{T}"/>: the record read from configuration, every
/// <c>micro.Configure&lt;T&gt;(...)</c> applied in order, then checked, so a value no component can run with ends
/// start-up with one line naming it (a <see cref="MicroConfigurationException"/>), not a failure deep in a call.
/// </summary>
internal static class MicroOptionsFactory
{
    public static IOptions<T> Create<[System.Diagnostics.CodeAnalysis.DynamicallyAccessedMembers(System.Diagnostics.CodeAnalysis.DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] T>(IServiceProvider services, T read, Func<T, string?> problem)
        where T : class
    {
        var options = MicroConfigure<T>.ApplyAll(services, read);
        return problem(options) is { } wrong
            ? throw new MicroConfigurationException($"{typeof(T).Name}: {wrong}")
            : Options.Create(options);
    }

    public static string? Check(ServerOptions o)
        => string.IsNullOrWhiteSpace(o.Name) ? "Name (--server_name) is empty."
            : string.IsNullOrWhiteSpace(o.Address) ? "Address (--server_address) is empty."
            : o.RegisterTtl <= TimeSpan.Zero ? "RegisterTtl (--register_ttl) must be greater than zero."
            : o.RegisterInterval <= TimeSpan.Zero ? "RegisterInterval (--register_interval) must be greater than zero."
            : o.ShutdownTimeout < TimeSpan.Zero ? "ShutdownTimeout must not be negative."
            : o.ConcurrencyLimit is { } c && (c.Min < 1 || c.Max < c.Min || c.Initial < 1) ? "ConcurrencyLimit (--server_concurrency_limit): Min, Initial and Max must be at least 1, with Max >= Min."
            : o.ConcurrencyLimit is { } t && (!(t.Tolerance >= 1 && double.IsFinite(t.Tolerance)) || t.Window <= TimeSpan.Zero || t.BaselineWindow < t.Window) ? "ConcurrencyLimit: Tolerance must be at least 1, Window greater than zero and BaselineWindow at least Window."
            : null;

    public static string? Check(ClientOptions o)
        => o.Retries < 0 ? "Retries (--client_retries) must be 0 or more."
            : o.RequestTimeout <= TimeSpan.Zero ? "RequestTimeout (--client_request_timeout) must be greater than zero."
            : o.AttemptTimeout is { } a && a <= TimeSpan.Zero ? "AttemptTimeout (--client_attempt_timeout) must be greater than zero."
            : o.RetryBudget is { } b && !(b.Ratio >= 0 && double.IsFinite(b.Ratio)) ? "RetryBudget.Ratio (--client_retry_budget) must be 0 or more."
            : o.RetryBudget is { } m && !(m.MinRetriesPerSecond >= 0 && double.IsFinite(m.MinRetriesPerSecond)) ? "RetryBudget.MinRetriesPerSecond (--client_retry_budget_min) must be 0 or more."
            : o.RetryBudget is { } w && w.Window <= TimeSpan.Zero ? "RetryBudget.Window (--client_retry_budget_window) must be greater than zero."
            : string.IsNullOrWhiteSpace(o.ContentType) ? "ContentType is empty."
            : null;

    public static string? Check(SelectorOptions o)
    {
        _ = SelectionStrategies.Create(o.Strategy); // an unknown name throws its own line, as --selector always said it
        return o.EjectAfterFailures < 0 ? "EjectAfterFailures must be 0 (off) or more."
            : o.EjectionTime <= TimeSpan.Zero ? "EjectionTime must be greater than zero."
            : o.MaxEjectionTime < o.EjectionTime ? "MaxEjectionTime must be at least EjectionTime."
            : !(o.MaxEjectedShare is >= 0 and <= 1) ? "MaxEjectedShare must be between 0 and 1."
            : o.OutlierInterval < TimeSpan.Zero ? "OutlierInterval must not be negative (0 turns the comparison off)."
            : o.OutlierMinRequests < 1 ? "OutlierMinRequests must be at least 1."
            : !(o.SuccessRateOutlier is >= 0 and <= 1) ? "SuccessRateOutlier must be between 0 (off) and 1."
            : !(o.LatencyOutlier >= 0 && double.IsFinite(o.LatencyOutlier)) ? "LatencyOutlier must be 0 (off) or more."
            : o.LatencyDecay <= TimeSpan.Zero ? "LatencyDecay must be greater than zero."
            : o.CacheTtl <= TimeSpan.Zero ? "CacheTtl must be greater than zero."
            : null;
    }

    public static string? Check(TransportOptions o)
        => o.PoolSize < 1 ? "PoolSize (--client_pool_size) must be at least 1."
            : o.DialTimeout <= TimeSpan.Zero ? "DialTimeout (--client_dial_timeout) must be greater than zero."
            : o.MaxMessageSize < 64 ? "MaxMessageSize (--max_message_size) must be at least 64."
            : o.MaxHeaderCount < 8 ? "MaxHeaderCount (--max_header_count) must be at least 8."
            : o.MaxHeaderBytes < 1024 ? "MaxHeaderBytes (--max_header_bytes) must be at least 1024."
            : o.MaxConcurrentRequests < 1 ? "MaxConcurrentRequests (--max_concurrent_requests) must be at least 1."
            : o.MaxConnectionsPerAddress < 1 ? "MaxConnectionsPerAddress (--max_connections_per_address) must be at least 1."
            : o.MaxConnections < 1 ? "MaxConnections (--max_connections) must be at least 1."
            : o.MaxQueuedBytes < 64 * 1024 ? "MaxQueuedBytes (--max_queued_bytes) must be at least 65536."
            : o.FrameReadTimeout <= TimeSpan.Zero ? "FrameReadTimeout (--frame_read_timeout) must be greater than zero."
            : null;
}
