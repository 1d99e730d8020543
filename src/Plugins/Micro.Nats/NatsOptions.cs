using Microsoft.Extensions.Configuration;
using NATS.Client.Core;

namespace Micro.Nats;

/// <summary>
/// NATS options beyond <c>--broker_address</c> and <c>--broker_tls_*</c>: read from <c>Micro:Broker:Nats</c> (broker) and
/// <c>Micro:Transport:Nats</c> (transport), changed in code with <c>micro.AddNats(o =&gt; o with { ... })</c>.
/// Immutable; change with <c>with { ... }</c>.
/// </summary>
public sealed record NatsOptions
{
    public static NatsOptions Default { get; } = new();

    /// <summary>The connection's name as the NATS server shows it (<c>nats server report connections</c>); default <c>micro-broker</c> / <c>micro-transport</c>.</summary>
    public string? ConnectionName { get; init; }

    /// <summary>Changes NATS.Net's <see cref="NatsOpts"/> last (code only): reconnect policy, buffers, authentication callbacks.</summary>
    public Func<NatsOpts, NatsOpts>? ConfigureConnection { get; init; }

    /// <summary>The options in <paramref name="section"/> of <paramref name="configuration"/> (defaults when absent).</summary>
    public static NatsOptions Read(IConfiguration? configuration, string section)
        => configuration?.GetSection(section)["ConnectionName"] is { Length: > 0 } name ? Default with { ConnectionName = name } : Default;

    internal Func<NatsOpts, NatsOpts> Apply(string defaultName)
        => opts =>
        {
            var named = opts with { Name = ConnectionName ?? defaultName };
            return ConfigureConnection?.Invoke(named) ?? named;
        };
}
