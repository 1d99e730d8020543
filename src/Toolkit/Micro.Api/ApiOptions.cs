using Micro.Edge;

namespace Micro.Api;

/// <summary>How <c>micro api</c> listens and routes (go-micro's flag names in the comments).</summary>
public sealed record ApiOptions
{
    /// <summary><c>--address</c>: where the gateway listens.</summary>
    public string Address { get; init; } = "127.0.0.1:8080";

    /// <summary>
    /// <c>--namespace</c>: prefix of the services the gateway reaches (<c>/greeter/...</c> -> <c>go.micro.api.greeter</c>).
    /// Empty exposes every service by its own name (<c>/greeter/hello</c> -> <c>greeter</c>), so use it knowingly.
    /// </summary>
    public string Namespace { get; init; } = "go.micro.api";

    /// <summary><c>--handler</c>: rpc (default), api, http, proxy, event or web; an endpoint's metadata <c>handler</c> overrides it.</summary>
    public string Handler { get; init; } = ApiHandlers.Rpc;

    /// <summary><c>--resolver</c>: micro (go-micro's path rules, default), path (first segment is the service) or host.</summary>
    public string Resolver { get; init; } = ApiResolvers.Micro;

    /// <summary><c>--enable_rpc</c>: serve <c>/rpc</c>, which reaches any service, so it is off by default.</summary>
    public bool EnableRpc { get; init; }

    /// <summary><c>--cors_allowed_origins</c>: origins browsers may call from (<c>*</c> for any); none means no CORS headers.</summary>
    public IReadOnlyList<string> CorsAllowedOrigins { get; init; } = [];

    /// <summary><c>--cors_allowed_methods</c>.</summary>
    public IReadOnlyList<string> CorsAllowedMethods { get; init; } = ["GET", "POST", "PUT", "PATCH", "DELETE"];

    /// <summary><c>--cors_allowed_headers</c>.</summary>
    public IReadOnlyList<string> CorsAllowedHeaders { get; init; } = ["Content-Type", "Authorization"];

    /// <summary><c>--max_body_size</c>: larger request bodies get 413.</summary>
    public long MaxBodyBytes { get; init; } = 10 * 1024 * 1024;

    /// <summary><c>--request_timeout</c>: how long one request may take behind the gateway (null: the client's timeout).</summary>
    public TimeSpan? RequestTimeout { get; init; }

    /// <summary>
    /// <c>--auth</c>: who may call (null: anyone). <see cref="Micro.Edge.Auth.ApiKeyAuthenticator"/>, <see cref="Micro.Edge.Auth.JwtAuthenticator"/>,
    /// or your own <see cref="Auth.IEdgeAuthenticator"/>. Refused requests get a 401 and a log line.
    /// </summary>
    public Micro.Edge.Auth.IEdgeAuthenticator? Authenticator { get; init; }

    /// <summary><c>--tls_cert_file</c>, <c>--tls_key_file</c>, <c>--tls_client_ca_file</c>: HTTPS (null: plain HTTP).</summary>
    public Micro.Transport.TransportTls? Tls { get; init; }

    /// <summary>
    /// <c>--rate_limit 100/s</c>: requests per period for each caller (its signed-in identity with <c>--auth</c>, else its
    /// client address); past it a 429 with <c>Retry-After</c>. Null: no limit.
    /// </summary>
    public EdgeRateLimit? RateLimit { get; init; }

    /// <summary><c>--allow_link_local</c>: forward to nodes at link-local and metadata addresses (169.254.0.0/16, fe80::/10, fd00:ec2::254).</summary>
    public bool AllowLinkLocal { get; init; }

    /// <summary>Validates the options, saying what is wrong (the handler and resolver among the built-in ones, as for micro api).</summary>
    public ApiOptions Validate()
    {
        if (!ApiHandlers.All.Contains(Handler))
        {
            throw new ArgumentException($"--handler '{Handler}' is not one of {string.Join(", ", ApiHandlers.All)}");
        }

        if (!ApiResolvers.All.Contains(Resolver))
        {
            throw new ArgumentException($"--resolver '{Resolver}' is not one of {string.Join(", ", ApiResolvers.All)}");
        }

        return ValidateLimits();
    }

    /// <summary>Everything but the handler and resolver names (an app may register its own: the gateway checks those).</summary>
    internal ApiOptions ValidateLimits()
    {
        if (Namespace is null || Namespace.Contains(' ', StringComparison.Ordinal) || Namespace.EndsWith('.'))
        {
            throw new ArgumentException($"--namespace '{Namespace}' must be dot-separated names like go.micro.api (or empty to expose services by their own names)");
        }

        if (MaxBodyBytes <= 0)
        {
            throw new ArgumentException($"--max_body_size must be positive, not {MaxBodyBytes}");
        }

        return this;
    }
}
