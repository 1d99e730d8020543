namespace Micro.Server;

/// <summary>Server settings. Immutable; change with <c>with { ... }</c>.</summary>
public sealed record ServerOptions
{
    public static ServerOptions Default { get; } = new();

    /// <summary>The service name other services call (<c>--server_name</c>).</summary>
    public string Name { get; init; } = "go.micro.server";

    public string Version { get; init; } = "latest";

    /// <summary>Where to listen, <c>host:port</c> (<c>--server_address</c>). Port 0 picks a free port.</summary>
    public string Address { get; init; } = "127.0.0.1:0";

    /// <summary>The address put in the registry when it differs from the bound one (NAT, containers).</summary>
    public string? Advertise { get; init; }

    /// <summary>Node id; a unique one is made from the name when empty.</summary>
    public string? Id { get; init; }

    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    /// <summary>How long a registration lives without being refreshed (<c>--register_ttl</c>).</summary>
    public TimeSpan RegisterTtl { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How often the registration is refreshed (<c>--register_interval</c>).</summary>
    public TimeSpan RegisterInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Requests handled at once before new ones get 503 at once (<c>--server_concurrency_limit</c>): adaptive by
    /// default (<see cref="ConcurrencyLimitOptions"/>), a fixed number, or null for no limit.
    /// </summary>
    public ConcurrencyLimitOptions? ConcurrencyLimit { get; init; } = ConcurrencyLimitOptions.Adaptive;

    /// <summary>How long stopping waits for requests in flight before closing connections.</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(10);
}
