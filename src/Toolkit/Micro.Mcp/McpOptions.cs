namespace Micro.Mcp;

/// <summary>What <c>micro mcp</c> exposes (section <c>Micro:Mcp</c>). Immutable; change with <c>with { ... }</c>.</summary>
public sealed record McpOptions
{
    public static McpOptions Default { get; } = new();

    /// <summary>
    /// <c>--mcp_services</c>: which services become tools, as comma-separated globs (<c>*</c> any run of characters);
    /// a glob starting with <c>!</c> leaves matching services out. Empty: every service. Micro's own (brokers, web apps,
    /// bots: <c>go.micro.http.broker</c>, <c>go.micro.web.*</c>, <c>go.micro.bot.*</c>) are always left out.
    /// </summary>
    public string Services { get; init; } = "";

    /// <summary>The name this server gives itself in the MCP handshake.</summary>
    public string ServerName { get; init; } = "micro";
}
