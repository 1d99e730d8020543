using System.Globalization;
using Micro.Client;
using Micro.Selector;
using Micro.Server;
using Micro.Transport;
using Microsoft.Extensions.Configuration;

namespace Micro.Hosting;

/// <summary>
/// Every setting Micro reads from configuration, under go-micro's flag names. Sources, strongest first:
/// flags (<c>--server_name greeter</c>), environment (<c>MICRO_SERVER_NAME=greeter</c>), then each component's section
/// of appsettings.json (<c>"Micro": { "Server": { "Name": "greeter" } }</c>, see <see cref="MicroConfigurationKeys"/>),
/// then the flag name inside the <c>Micro</c> section (<c>"Micro": { "server_name": "greeter" }</c>). The one reader of
/// configuration: the options records (<see cref="ServerOptions"/>, <see cref="ClientOptions"/>,
/// <see cref="TransportOptions"/>, <see cref="SelectorOptions"/>) start from it.
/// </summary>
public sealed record MicroSettings
{
    public static MicroSettings Default { get; } = new();

    /// <summary>
    /// The configuration these settings were read from (null for settings made in code): plugins bind their own
    /// sections from it (<c>Micro:Broker:RabbitMQ</c>).
    /// </summary>
    public IConfiguration? Configuration { get; init; }

    public string? ServerName { get; init; }
    public string ServerAddress { get; init; } = "127.0.0.1:0";
    public string? ServerAdvertise { get; init; }
    public string? ServerId { get; init; }
    public string ServerVersion { get; init; } = "latest";
    public IReadOnlyDictionary<string, string>? ServerMetadata { get; init; }

    /// <summary><c>local</c> (default), <c>memory</c>, or a plugin's name.</summary>
    public string Registry { get; init; } = "local";

    /// <summary>For <c>local</c>: the folder; for server registries: comma-separated addresses.</summary>
    public string? RegistryAddress { get; init; }

    /// <summary><c>--registry_username</c>, <c>--registry_password</c>: etcd's own authentication (prefer the MICRO_ variables: flags show in ps).</summary>
    public string? RegistryUsername { get; init; }

    public string? RegistryPassword { get; init; }

    /// <summary><c>--registry_token</c>: Consul's ACL token (sent as <c>X-Consul-Token</c>).</summary>
    public string? RegistryToken { get; init; }

    /// <summary><c>--registry_tls_cert</c>, <c>--registry_tls_key</c>, <c>--registry_tls_ca</c>: TLS to the registry's server (etcd, Consul).</summary>
    public string? RegistryTlsCert { get; init; }

    public string? RegistryTlsKey { get; init; }

    public string? RegistryTlsCa { get; init; }

    public TimeSpan RegisterTtl { get; init; } = TimeSpan.FromSeconds(60);
    public TimeSpan RegisterInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary><c>random</c> (default), <c>roundrobin</c>, <c>hashed</c>, or <c>blacklist</c> (random; every strategy skips failing nodes).</summary>
    public string Selector { get; init; } = "random";

    /// <summary><c>http</c> (default), <c>memory</c>, or a plugin's name (<c>nats</c>, <c>rabbitmq</c>).</summary>
    public string Broker { get; init; } = "http";

    /// <summary>For http: where subscribers listen (host:port); for nats/rabbitmq: the server address(es).</summary>
    public string? BrokerAddress { get; init; }

    /// <summary><c>tcp</c> (default), <c>memory</c>, or a plugin's name.</summary>
    public string Transport { get; init; } = "tcp";
    public string? TransportAddress { get; init; }

    /// <summary><c>--server_concurrency_limit</c>: <c>adaptive</c> (default), a number (fixed), or <c>off</c>.</summary>
    public ConcurrencyLimitOptions? ServerConcurrencyLimit { get; init; } = ConcurrencyLimitOptions.Adaptive;

    public TimeSpan ClientRequestTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary><c>--client_attempt_timeout</c>: limit of one attempt (null: the whole request timeout).</summary>
    public TimeSpan? ClientAttemptTimeout { get; init; }
    public int ClientRetries { get; init; } = 1;

    /// <summary><c>--client_hedge_delay</c>: <c>p95</c> (default: each idempotent endpoint's observed 95th percentile), a duration, or <c>off</c>.</summary>
    public HedgingOptions? ClientHedging { get; init; } = HedgingOptions.Default;

    /// <summary><c>--client_retry_budget</c> (ratio, or <c>off</c>), <c>--client_retry_budget_min</c> (per second), <c>--client_retry_budget_window</c>.</summary>
    public RetryBudgetOptions? ClientRetryBudget { get; init; } = RetryBudgetOptions.Default;
    public int ClientPoolSize { get; init; } = TransportOptions.Default.PoolSize;
    public TimeSpan ClientDialTimeout { get; init; } = TimeSpan.FromSeconds(5);
    public int MaxMessageSize { get; init; } = TransportOptions.Default.MaxMessageSize;

    /// <summary><c>--max_header_count</c>, <c>--max_header_bytes</c>: what one message's headers may hold.</summary>
    public int MaxHeaderCount { get; init; } = TransportOptions.Default.MaxHeaderCount;

    public int MaxHeaderBytes { get; init; } = TransportOptions.Default.MaxHeaderBytes;

    /// <summary><c>--max_concurrent_requests</c>: requests and streams one client connection may run at once.</summary>
    public int MaxConcurrentRequests { get; init; } = TransportOptions.Default.MaxConcurrentRequests;

    /// <summary><c>--max_connections_per_address</c>: connections a server keeps from one client IP address.</summary>
    public int MaxConnectionsPerAddress { get; init; } = TransportOptions.Default.MaxConnectionsPerAddress;

    /// <summary><c>--max_connections</c>, <c>--max_queued_bytes</c>, <c>--frame_read_timeout</c>: see <see cref="TransportOptions"/>.</summary>
    public int MaxConnections { get; init; } = TransportOptions.Default.MaxConnections;

    public int MaxQueuedBytes { get; init; } = TransportOptions.Default.MaxQueuedBytes;

    public TimeSpan FrameReadTimeout { get; init; } = TransportOptions.Default.FrameReadTimeout;

    /// <summary><c>--transport_tls_cert</c>, <c>--transport_tls_key</c>: this side's certificate and key (PEM) for the tcp transport.</summary>
    public string? TransportTlsCert { get; init; }

    public string? TransportTlsKey { get; init; }

    /// <summary><c>--transport_tls_ca</c>: the CA peers' certificates must chain to (on a server: mutual TLS).</summary>
    public string? TransportTlsCa { get; init; }

    /// <summary><c>--transport_tls_dev</c>: a self-signed certificate shared by this user's processes; development only, logged loudly.</summary>
    public bool TransportTlsDev { get; init; }

    /// <summary><c>--broker_tls_cert</c>, <c>--broker_tls_key</c>: the client certificate and key (PEM) presented to the broker (NATS, RabbitMQ).</summary>
    public string? BrokerTlsCert { get; init; }

    public string? BrokerTlsKey { get; init; }

    /// <summary><c>--broker_tls_ca</c>: the CA the broker's certificate must chain to; any broker TLS setting turns TLS on.</summary>
    public string? BrokerTlsCa { get; init; }

    /// <summary><c>--broker_http_secret</c>: the http broker signs envelopes with it and refuses unsigned ones (every Micro process sharing the broker needs it).</summary>
    public string? BrokerHttpSecret { get; init; }

    /// <summary><c>--allow_link_local</c>: nodes at link-local and metadata addresses may be dialled (see <see cref="TransportOptions.AllowLinkLocal"/>).</summary>
    public bool AllowLinkLocal { get; init; }

    /// <summary>Reads settings; a malformed value throws with the setting's name and what was wrong.</summary>
    public static MicroSettings FromConfiguration(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        // key (flags, or MICRO_-prefixed variables mapped by the host), the component's section, the flag name in the
        // Micro section, then MICRO_KEY as a plain variable: what an ASP.NET Core host that did not map the prefix sees.
        string? Get(string key) => configuration[key] is { Length: > 0 } v ? v
            : configuration[MicroConfigurationKeys.KeyOf(key)] is { Length: > 0 } c ? c
            : configuration["Micro:" + key] is { Length: > 0 } s ? s
            : configuration["MICRO_" + key.ToUpperInvariant()] is { Length: > 0 } e ? e : null;
        var d = Default;
        var metadata = Get("server_metadata") is { } md ? ParsePairs(md, "server_metadata") : null;
        foreach (var pair in configuration.GetSection(MicroConfigurationKeys.KeyOf("server_metadata")).GetChildren())
        {
            if (pair.Value is { } value)
            {
                (metadata ??= [])[pair.Key] = value; // "Metadata": { "team": "payments" }
            }
        }

        return new MicroSettings
        {
            Configuration = configuration,
            ServerName = Get("server_name"),
            ServerAddress = Get("server_address") ?? d.ServerAddress,
            ServerAdvertise = Get("server_advertise"),
            ServerId = Get("server_id"),
            ServerVersion = Get("server_version") ?? d.ServerVersion,
            ServerMetadata = metadata,
            Registry = (Get("registry") ?? d.Registry).ToLowerInvariant(),
            RegistryAddress = Get("registry_address"),
            RegistryUsername = Get("registry_username"),
            RegistryPassword = Get("registry_password"),
            RegistryToken = Get("registry_token"),
            RegistryTlsCert = Get("registry_tls_cert"),
            RegistryTlsKey = Get("registry_tls_key"),
            RegistryTlsCa = Get("registry_tls_ca"),
            ServerConcurrencyLimit = Get("server_concurrency_limit") is { } cl ? ConcurrencyLimitFrom(cl) : d.ServerConcurrencyLimit,
            RegisterTtl = Get("register_ttl") is { } ttl ? Positive(Durations.Parse(ttl, "register_ttl"), "register_ttl") : d.RegisterTtl,
            RegisterInterval = Get("register_interval") is { } ri ? Positive(Durations.Parse(ri, "register_interval"), "register_interval") : d.RegisterInterval,
            Selector = (Get("selector") ?? d.Selector).ToLowerInvariant(),
            Broker = (Get("broker") ?? d.Broker).ToLowerInvariant(),
            BrokerAddress = Get("broker_address"),
            Transport = (Get("transport") ?? d.Transport).ToLowerInvariant(),
            TransportAddress = Get("transport_address"),
            ClientRequestTimeout = Get("client_request_timeout") is { } rt ? Positive(Durations.Parse(rt, "client_request_timeout"), "client_request_timeout") : d.ClientRequestTimeout,
            ClientAttemptTimeout = Get("client_attempt_timeout") is { } at ? Positive(Durations.Parse(at, "client_attempt_timeout"), "client_attempt_timeout") : d.ClientAttemptTimeout,
            ClientRetries = Get("client_retries") is { } r ? Int(r, "client_retries", 0) : d.ClientRetries,
            ClientHedging = Get("client_hedge_delay") is { } hd ? HedgingFrom(hd, d.ClientHedging) : d.ClientHedging,
            ClientRetryBudget = RetryBudgetFrom(Get("client_retry_budget"), Get("client_retry_budget_min"), Get("client_retry_budget_window"), d.ClientRetryBudget),
            ClientPoolSize = Get("client_pool_size") is { } p ? Int(p, "client_pool_size", 1) : d.ClientPoolSize,
            ClientDialTimeout = Get("client_dial_timeout") is { } dt ? Positive(Durations.Parse(dt, "client_dial_timeout"), "client_dial_timeout") : d.ClientDialTimeout,
            MaxMessageSize = Get("max_message_size") is { } mm ? Int(mm, "max_message_size", 64) : d.MaxMessageSize,
            MaxHeaderCount = Get("max_header_count") is { } hc ? Int(hc, "max_header_count", 8) : d.MaxHeaderCount,
            MaxHeaderBytes = Get("max_header_bytes") is { } hb ? Int(hb, "max_header_bytes", 1024) : d.MaxHeaderBytes,
            MaxConcurrentRequests = Get("max_concurrent_requests") is { } mc ? Int(mc, "max_concurrent_requests", 1) : d.MaxConcurrentRequests,
            MaxConnectionsPerAddress = Get("max_connections_per_address") is { } ma ? Int(ma, "max_connections_per_address", 1) : d.MaxConnectionsPerAddress,
            MaxConnections = Get("max_connections") is { } mx ? Int(mx, "max_connections", 1) : d.MaxConnections,
            MaxQueuedBytes = Get("max_queued_bytes") is { } mq ? Int(mq, "max_queued_bytes", 64 * 1024) : d.MaxQueuedBytes,
            FrameReadTimeout = Get("frame_read_timeout") is { } ft ? Positive(Durations.Parse(ft, "frame_read_timeout"), "frame_read_timeout") : d.FrameReadTimeout,
            TransportTlsCert = Get("transport_tls_cert"),
            TransportTlsKey = Get("transport_tls_key"),
            TransportTlsCa = Get("transport_tls_ca"),
            TransportTlsDev = Get("transport_tls_dev") is { } dev && MicroFlags.ParseSwitch(dev, "transport_tls_dev"),
            BrokerTlsCert = Get("broker_tls_cert"),
            BrokerTlsKey = Get("broker_tls_key"),
            BrokerTlsCa = Get("broker_tls_ca"),
            BrokerHttpSecret = Get("broker_http_secret"),
            AllowLinkLocal = Get("allow_link_local") is { } ll && MicroFlags.ParseSwitch(ll, "allow_link_local"),
        };
    }

    public ServerOptions ToServerOptions(string? defaultName = null) => new()
    {
        Name = ServerName ?? defaultName ?? ServerOptions.Default.Name,
        Address = ServerAddress,
        Advertise = ServerAdvertise,
        Id = ServerId,
        Version = ServerVersion,
        Metadata = ServerMetadata,
        RegisterTtl = RegisterTtl,
        RegisterInterval = RegisterInterval,
        ConcurrencyLimit = ServerConcurrencyLimit,
    };

    public ClientOptions ToClientOptions(string? fromService = null) => ClientOptions.Default with
    {
        RequestTimeout = ClientRequestTimeout,
        AttemptTimeout = ClientAttemptTimeout,
        Retries = ClientRetries,
        RetryBudget = ClientRetryBudget,
        Hedging = ClientHedging,
        FromService = fromService,
    };

    public TransportOptions ToTransportOptions(Microsoft.Extensions.Logging.ILoggerFactory? loggerFactory = null) => TransportOptions.Default with
    {
        PoolSize = ClientPoolSize,
        DialTimeout = ClientDialTimeout,
        MaxMessageSize = MaxMessageSize,
        MaxHeaderCount = MaxHeaderCount,
        MaxHeaderBytes = MaxHeaderBytes,
        MaxConcurrentRequests = MaxConcurrentRequests,
        MaxConnectionsPerAddress = MaxConnectionsPerAddress,
        MaxConnections = MaxConnections,
        MaxQueuedBytes = MaxQueuedBytes,
        FrameReadTimeout = FrameReadTimeout,
        AllowLinkLocal = AllowLinkLocal,
        Tls = TransportTlsDev
            ? TransportTls.Development((loggerFactory ?? Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance).CreateLogger("Micro.Transport.TransportTls"))
            : TransportTlsCert is not null || TransportTlsCa is not null ? TransportTls.FromFiles(TransportTlsCert, TransportTlsKey, TransportTlsCa) : null,
    };

    /// <summary>TLS to the registry's server (etcd, Consul), or null when no <c>--registry_tls_*</c> setting is given.</summary>
    public TransportTls? ToRegistryTls()
        => RegistryTlsCert is not null || RegistryTlsCa is not null
            ? TransportTls.FromFiles(RegistryTlsCert, RegistryTlsKey, RegistryTlsCa, ("--registry_tls_cert", "--registry_tls_key", "--registry_tls_ca"))
            : null;

    /// <summary>TLS to the broker's server (NATS, RabbitMQ), or null when no <c>--broker_tls_*</c> setting is given.</summary>
    public TransportTls? ToBrokerTls()
        => BrokerTlsCert is not null || BrokerTlsCa is not null
            ? TransportTls.FromFiles(BrokerTlsCert, BrokerTlsKey, BrokerTlsCa, ("--broker_tls_cert", "--broker_tls_key", "--broker_tls_ca"))
            : null;

    public ISelectionStrategy CreateStrategy() => SelectionStrategies.Create(Selector);

    public SelectorOptions ToSelectorOptions() => SelectorOptions.Default with { Strategy = Selector };

    private static TimeSpan Positive(TimeSpan value, string name)
        => value > TimeSpan.Zero ? value : throw new FormatException($"{name}: must be greater than zero.");

    private static HedgingOptions? HedgingFrom(string text, HedgingOptions? fallback) => text.ToLowerInvariant() switch
    {
        "off" or "none" => null,
        "p95" or "auto" => (fallback ?? HedgingOptions.Default) with { Delay = null },
        _ => (fallback ?? HedgingOptions.Default) with { Delay = Positive(Durations.Parse(text, "client_hedge_delay"), "client_hedge_delay") },
    };

    private static ConcurrencyLimitOptions? ConcurrencyLimitFrom(string text)
        => text.ToLowerInvariant() switch
        {
            "adaptive" => ConcurrencyLimitOptions.Adaptive,
            "off" or "none" => null,
            _ => ConcurrencyLimitOptions.Fixed(Int(text, "server_concurrency_limit", 1)),
        };

    /// <summary>The retry budget from its three settings: a ratio (or <c>off</c>/<c>none</c>), a floor per second, a window.</summary>
    private static RetryBudgetOptions? RetryBudgetFrom(string? ratio, string? floor, string? window, RetryBudgetOptions? fallback)
    {
        if (ratio is not null && (ratio.Equals("off", StringComparison.OrdinalIgnoreCase) || ratio.Equals("none", StringComparison.OrdinalIgnoreCase)))
        {
            return null;
        }

        if (ratio is null && floor is null && window is null)
        {
            return fallback;
        }

        var budget = fallback ?? RetryBudgetOptions.Default;
        return budget with
        {
            Ratio = ratio is null ? budget.Ratio : Share(ratio, "client_retry_budget"),
            MinRetriesPerSecond = floor is null ? budget.MinRetriesPerSecond : NonNegative(floor, "client_retry_budget_min"),
            Window = window is null ? budget.Window : Positive(Durations.Parse(window, "client_retry_budget_window"), "client_retry_budget_window"),
        };
    }

    private static double Share(string text, string name)
        => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v is >= 0 and <= 10
            ? v
            : throw new FormatException($"{name}: '{text}' is not a share of calls between 0 and 10 (0.2 = one retry per five calls), or off.");

    private static double NonNegative(string text, string name)
        => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v >= 0 && double.IsFinite(v)
            ? v
            : throw new FormatException($"{name}: '{text}' is not a number of 0 or more.");

    private static int Int(string text, string name, int min)
        => int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v >= min
            ? v
            : throw new FormatException($"{name}: '{text}' is not a whole number of at least {min}.");

    private static Dictionary<string, string> ParsePairs(string text, string name)
    {
        var result = new Dictionary<string, string>();
        foreach (var pair in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = pair.IndexOf('=');
            if (eq <= 0)
            {
                throw new FormatException($"{name}: '{pair}' is not key=value.");
            }

            result[pair[..eq]] = pair[(eq + 1)..];
        }

        return result;
    }
}
