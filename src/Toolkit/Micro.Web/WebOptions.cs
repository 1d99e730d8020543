namespace Micro.Web;

/// <summary>How <c>micro web</c> listens and which services are its web apps.</summary>
public sealed record WebOptions
{
    /// <summary><c>--address</c>.</summary>
    /// <summary><c>--tls_cert_file</c>, <c>--tls_key_file</c>, <c>--tls_client_ca_file</c>: HTTPS (null: plain HTTP).</summary>
    public Micro.Transport.TransportTls? Tls { get; init; }

    public string Address { get; init; } = "127.0.0.1:8082";

    /// <summary><c>--namespace</c>: web apps are services named <c>&lt;namespace&gt;.&lt;name&gt;</c>, served at <c>/&lt;name&gt;</c>.</summary>
    public string Namespace { get; init; } = "go.micro.web";

    /// <summary>
    /// <c>--auth</c>: who may use the dashboard (null: anyone who can reach it). People sign in at <c>/signin</c> with an API
    /// key or a JWT, kept in an HttpOnly, SameSite=Strict cookie; scripts may send <c>Authorization: Bearer</c> instead.
    /// </summary>
    public Micro.Edge.Auth.IEdgeAuthenticator? Authenticator { get; init; }

    /// <summary>
    /// <c>--apps_address</c>: serve web apps from this second listener, another origin, instead of <c>/&lt;name&gt;</c> on
    /// the dashboard's (which then redirects there). Their pages then run unsandboxed, yet cannot read the dashboard.
    /// </summary>
    public string? AppsAddress { get; init; }

    /// <summary><c>--session_lifetime</c>: how long a dashboard sign-in lasts (a JWT's own expiry ends it sooner). Default 12 h.</summary>
    public TimeSpan SessionLifetime { get; init; } = TimeSpan.FromHours(12);

    /// <summary>
    /// <c>--insecure</c>: listen beyond loopback with no <see cref="Authenticator"/>. Refused otherwise: anyone who reaches
    /// the dashboard could call every service and run the terminal.
    /// </summary>
    public bool Insecure { get; init; }

    /// <summary>How long a terminal command may run (stream and subscribe are stopped then).</summary>
    public TimeSpan TerminalTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a call from the call form may take.</summary>
    public TimeSpan CallTimeout { get; init; } = TimeSpan.FromSeconds(10);
}
