namespace Micro.Hosting;

/// <summary>
/// Where each go-micro setting lives in configuration: its flag name (<c>--broker_address</c>, also
/// <c>MICRO_BROKER_ADDRESS</c>) maps onto a key of its component's section (<c>Micro:Broker:Address</c>), so
/// appsettings.json can group settings by component while go-micro's names keep working.
/// </summary>
public static class MicroConfigurationKeys
{
    /// <summary>The root section.</summary>
    public const string Root = "Micro";

    /// <summary>go-micro flag name to its key under <see cref="Root"/>.</summary>
    public static IReadOnlyDictionary<string, string> Sections { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["server_name"] = "Server:Name",
        ["server_address"] = "Server:Address",
        ["server_advertise"] = "Server:Advertise",
        ["server_id"] = "Server:Id",
        ["server_version"] = "Server:Version",
        ["server_metadata"] = "Server:Metadata",
        ["server_concurrency_limit"] = "Server:ConcurrencyLimit",
        ["register_ttl"] = "Server:RegisterTtl",
        ["register_interval"] = "Server:RegisterInterval",
        ["registry"] = "Registry:Name",
        ["registry_address"] = "Registry:Address",
        ["registry_username"] = "Registry:Username",
        ["registry_password"] = "Registry:Password",
        ["registry_token"] = "Registry:Token",
        ["registry_tls_cert"] = "Registry:Tls:Cert",
        ["registry_tls_key"] = "Registry:Tls:Key",
        ["registry_tls_ca"] = "Registry:Tls:Ca",
        ["selector"] = "Selector:Strategy",
        ["broker"] = "Broker:Name",
        ["broker_address"] = "Broker:Address",
        ["broker_tls_cert"] = "Broker:Tls:Cert",
        ["broker_tls_key"] = "Broker:Tls:Key",
        ["broker_tls_ca"] = "Broker:Tls:Ca",
        ["broker_http_secret"] = "Broker:Http:Secret",
        ["transport"] = "Transport:Name",
        ["transport_address"] = "Transport:Address",
        ["transport_tls_cert"] = "Transport:Tls:Cert",
        ["transport_tls_key"] = "Transport:Tls:Key",
        ["transport_tls_ca"] = "Transport:Tls:Ca",
        ["transport_tls_dev"] = "Transport:Tls:Dev",
        ["client_pool_size"] = "Transport:PoolSize",
        ["client_dial_timeout"] = "Transport:DialTimeout",
        ["max_message_size"] = "Transport:MaxMessageSize",
        ["max_header_count"] = "Transport:MaxHeaderCount",
        ["max_header_bytes"] = "Transport:MaxHeaderBytes",
        ["max_concurrent_requests"] = "Transport:MaxConcurrentRequests",
        ["max_connections_per_address"] = "Transport:MaxConnectionsPerAddress",
        ["max_connections"] = "Transport:MaxConnections",
        ["max_queued_bytes"] = "Transport:MaxQueuedBytes",
        ["frame_read_timeout"] = "Transport:FrameReadTimeout",
        ["allow_link_local"] = "Transport:AllowLinkLocal",
        ["client_request_timeout"] = "Client:RequestTimeout",
        ["client_attempt_timeout"] = "Client:AttemptTimeout",
        ["client_retries"] = "Client:Retries",
        ["client_hedge_delay"] = "Client:Hedging:Delay",
        ["client_retry_budget"] = "Client:RetryBudget:Ratio",
        ["client_retry_budget_min"] = "Client:RetryBudget:MinRetriesPerSecond",
        ["client_retry_budget_window"] = "Client:RetryBudget:Window",
    };

    /// <summary>The full configuration key of a go-micro setting (<c>broker_address</c> to <c>Micro:Broker:Address</c>).</summary>
    public static string KeyOf(string flag)
        => Sections.TryGetValue(flag, out var key) ? $"{Root}:{key}" : throw new ArgumentException($"'{flag}' is not a Micro setting.", nameof(flag));
}
