namespace Micro.Proxy;

/// <summary>How <c>micro proxy</c> listens and whom it serves.</summary>
public sealed record ProxyOptions
{
    /// <summary><c>--address</c>.</summary>
    /// <summary><c>--tls_cert_file</c>, <c>--tls_key_file</c>, <c>--tls_client_ca_file</c>: HTTPS (null: plain HTTP).</summary>
    public Micro.Transport.TransportTls? Tls { get; init; }

    public string Address { get; init; } = "127.0.0.1:8081";

    /// <summary><c>--auth_token</c>: when set, every request must carry <c>Authorization: Bearer &lt;token&gt;</c>.</summary>
    public string? AuthToken { get; init; }

    /// <summary>
    /// <c>--auth api_key|jwt</c>: who may use the proxy, checked like the gateway's callers (the CLI sends its
    /// <c>--auth_token</c> as the bearer credential: an API key or a JWT). Takes precedence over <see cref="AuthToken"/>.
    /// </summary>
    public Micro.Edge.Auth.IEdgeAuthenticator? Authenticator { get; init; }

    /// <summary><c>--insecure</c>: listen beyond loopback with no authentication (refused otherwise).</summary>
    public bool Insecure { get; init; }

    /// <summary>Largest request body or stream message in bytes.</summary>
    public long MaxBodyBytes { get; init; } = 10 * 1024 * 1024;
}
