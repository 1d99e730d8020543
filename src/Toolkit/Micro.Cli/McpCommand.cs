using System.CommandLine;
using System.Globalization;
using Micro.Edge;
using Micro.Hosting;
using Micro.Mcp;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Server;

namespace Micro.Cli;

/// <summary>
/// <c>micro mcp</c>: the registry's endpoints as Model Context Protocol tools, over stdio for agent hosts that spawn it,
/// or over Streamable HTTP with <c>--address</c>.
/// </summary>
internal static class McpCommand
{
    public static Command Create(Func<ParseResult, MicroEnvironment> connect)
    {
        var defaults = McpOptions.Default;
        var services = new Option<string>("--mcp_services") { Description = "Which services become tools: comma-separated globs, !glob leaves out (default: all). Env MICRO_MCP_SERVICES." };
        var allow = new Option<string>("--mcp_allow") { Description = "Which tools each identity may list and call: SUBJECT=GLOB[,GLOB];... over service.Endpoint (subject * for anyone, local for stdio). Env MICRO_MCP_ALLOW." };
        var auditArguments = new Option<bool>("--mcp_audit_arguments") { Description = "Write each call's arguments into its audit line (off: they may hold personal data)." };
        var maxStream = new Option<int?>("--mcp_max_stream") { Description = $"Most messages a server-stream tool returns (default {defaults.MaxStreamMessages})." };
        var timeout = new Option<string>("--mcp_timeout") { Description = "Longest deadline of a tool call, e.g. 30s (default: the client's); a request's _meta.timeout may shorten it." };
        var rateLimit = new Option<string>("--rate_limit") { Description = "Tool calls per period for each caller, e.g. 100/s; past it a 429 tool error. Env MICRO_MCP_RATE_LIMIT." };
        var address = new Option<string>("--address") { Description = "Serve Streamable HTTP here (at /mcp) instead of stdio, e.g. 127.0.0.1:8090. Env MICRO_MCP_ADDRESS." };
        var command = new Command("mcp", "Serve every endpoint in the registry as an MCP tool: over stdio (stdout carries the protocol; logs go to stderr), or over Streamable HTTP with --address.\n\nExamples:\n  micro mcp                                  # what an agent host runs\n  micro mcp --mcp_services 'greeter,orders*'\n  MICRO_MCP_AUTH_KEYS=agent=k3y... micro mcp --address 0.0.0.0:8090 --auth api_key --mcp_allow 'agent=greeter.*' --rate_limit 10/s")
        {
            services, allow, auditArguments, maxStream, timeout, rateLimit, address,
        };
        var tls = new EdgeTlsFlags();
        tls.AddTo(command);
        var authFlags = new EdgeAuthFlags("MICRO_MCP", "call tools over HTTP");
        authFlags.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            McpOptions options;
            try
            {
                options = new McpOptions
                {
                    Services = parse.GetValue(services) ?? Environment.GetEnvironmentVariable("MICRO_MCP_SERVICES") ?? "",
                    Allow = ToolAccess.Parse(parse.GetValue(allow) ?? Environment.GetEnvironmentVariable("MICRO_MCP_ALLOW")),
                    AuditArguments = parse.GetValue(auditArguments),
                    MaxStreamMessages = parse.GetValue(maxStream) ?? defaults.MaxStreamMessages,
                    Timeout = parse.GetValue(timeout) is { } t ? Durations.Parse(t, "--mcp_timeout") : null,
                    RateLimit = (parse.GetValue(rateLimit) ?? Environment.GetEnvironmentVariable("MICRO_MCP_RATE_LIMIT")) is { Length: > 0 } r ? EdgeRateLimit.Parse(r) : null,
                    Address = parse.GetValue(address) ?? Environment.GetEnvironmentVariable("MICRO_MCP_ADDRESS"),
                    Tls = tls.Read(parse),
                    Authenticator = authFlags.Read(parse),
                }.Validate();
                if (options.Address is null && (options.Authenticator is not null || options.Tls is not null))
                {
                    throw new ArgumentException("--auth and --tls_* are for Streamable HTTP: add --address (over stdio the caller is the agent host that started micro mcp)");
                }

                if (options.Address is not null)
                {
                    await McpHttpServer.CheckAddressAsync(options, ct).ConfigureAwait(false);
                }
            }
            catch (Exception e) when (e is ArgumentException or FormatException or MicroException or System.Net.Sockets.SocketException)
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync("error: " + e.Message).ConfigureAwait(false);
                return 2;
            }

            return options.Address is null ? await RunStdioAsync(parse, connect, options, ct).ConfigureAwait(false) : await RunHttpAsync(parse, connect, options, ct).ConfigureAwait(false);
        });
        return command;
    }

    private static Task<int> RunHttpAsync(ParseResult parse, Func<ParseResult, MicroEnvironment> connect, McpOptions options, CancellationToken ct)
        => ToolkitHost.RunAsync(parse, connect, async (environment, logging) =>
        {
            var server = await McpHttpServer.StartAsync(options, environment.Client, environment.Registry, logging, ct).ConfigureAwait(false);
            await parse.InvocationConfiguration.Output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"micro mcp listening on {(options.Tls is null ? "http" : "https")}://{server.Address}{options.Path} (tools for {options.Allow}{(options.RateLimit is { } limit ? $", rate limit {limit.Requests} per {limit.Period.TotalSeconds:0.###} s per caller" : "")})")).ConfigureAwait(false);
            return server;
        }, ct);

    private static async Task<int> RunStdioAsync(ParseResult parse, Func<ParseResult, MicroEnvironment> connect, McpOptions options, CancellationToken ct)
    {
        // stdout is the protocol: every log line goes to stderr.
        using var logging = LoggerFactory.Create(b => b.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace).SetMinimumLevel(LogLevel.Information));
        MicroEnvironment environment;
        try
        {
            environment = connect(parse);
        }
        catch (Exception e) when (e is ArgumentException or FormatException)
        {
            await parse.InvocationConfiguration.Error.WriteLineAsync("error: " + e.Message).ConfigureAwait(false);
            return 2;
        }

        await using (environment.ConfigureAwait(false))
        {
            await using var tools = new RegistryTools(environment.Registry, options, logging.CreateLogger<RegistryTools>());
            await using var calls = new McpToolCalls(tools, environment.Client, options, logging);
            await tools.StartAsync(ct).ConfigureAwait(false);
            try
            {
                await MicroMcpServer.RunAsync(new StdioServerTransport(options.ServerName, logging), calls, logging, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                // Ctrl+C or SIGTERM
            }
        }

        return 0;
    }
}
