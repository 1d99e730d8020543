using Micro.Edge;
using Micro.Edge.Auth;
using Micro.Transport;

namespace Micro.Mcp;

/// <summary>What <c>micro mcp</c> and <c>MapMicroMcp</c> expose and to whom (section <c>Micro:Mcp</c>). Immutable; change with <c>with { ... }</c>.</summary>
public sealed record McpOptions
{
    public static McpOptions Default { get; } = new();

    /// <summary>
    /// <c>--mcp_services</c>: which services become tools, as comma-separated globs (<c>*</c> any run of characters);
    /// a glob starting with <c>!</c> leaves matching services out. Empty: every service. Micro's own (brokers, web apps,
    /// bots: <c>go.micro.http.broker</c>, <c>go.micro.web.*</c>, <c>go.micro.bot.*</c>) are always left out.
    /// </summary>
    public string Services { get; init; } = "";

    /// <summary>
    /// <c>--mcp_allow</c>: which tools each identity may list and call (<see cref="ToolAccess"/>); by default every
    /// caller may use every tool <see cref="Services"/> lets through.
    /// </summary>
    public ToolAccess Allow { get; init; } = ToolAccess.Everyone;

    /// <summary><c>--mcp_audit_arguments</c>: the audit line of a call also carries its arguments (off: they may hold personal data).</summary>
    public bool AuditArguments { get; init; }

    /// <summary><c>--mcp_max_stream</c>: the most messages a server-stream tool returns; the stream is closed after it.</summary>
    public int MaxStreamMessages { get; init; } = 100;

    /// <summary><c>--mcp_timeout</c>: the longest deadline a tool call gets (a request's own <c>_meta.timeout</c> may only shorten it); null: the client's.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary><c>--rate_limit</c>: tool calls per period for each caller (its identity, else its address); past it the call is a 429 tool error.</summary>
    public EdgeRateLimit? RateLimit { get; init; }

    /// <summary>Over HTTP: who may connect (<c>--auth</c>); null lets everyone in, which <c>MapMicroMcp</c> refuses unless <see cref="Insecure"/>.</summary>
    public IEdgeAuthenticator? Authenticator { get; init; }

    /// <summary>Over HTTP: serve without an authenticator (a loopback-only <c>micro mcp --address</c>, a test).</summary>
    public bool Insecure { get; init; }

    /// <summary><c>micro mcp --address</c>: where the Streamable HTTP endpoint listens (at <see cref="Path"/>); null: stdio.</summary>
    public string? Address { get; init; }

    /// <summary>The path <c>micro mcp --address</c> serves MCP at.</summary>
    public string Path { get; init; } = "/mcp";

    /// <summary><c>micro mcp --address</c> over HTTPS.</summary>
    public TransportTls? Tls { get; init; }

    /// <summary>The name this server gives itself in the MCP handshake.</summary>
    public string ServerName { get; init; } = "micro";

    /// <summary>Throws an <see cref="ArgumentException"/> naming the setting that is out of range.</summary>
    public McpOptions Validate()
    {
        if (MaxStreamMessages is < 1 or > 10_000)
        {
            throw new ArgumentException($"--mcp_max_stream {MaxStreamMessages}: expected 1 to 10000 messages");
        }

        if (Timeout is { } timeout && timeout <= TimeSpan.Zero)
        {
            throw new ArgumentException("--mcp_timeout must be a positive duration, e.g. 30s");
        }

        return this;
    }
}
