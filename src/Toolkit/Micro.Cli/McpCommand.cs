using System.CommandLine;
using Micro.Hosting;
using Micro.Mcp;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Server;

namespace Micro.Cli;

/// <summary><c>micro mcp</c>: the registry's endpoints as Model Context Protocol tools, over stdio for agent hosts that spawn it.</summary>
internal static class McpCommand
{
    public static Command Create(Func<ParseResult, MicroEnvironment> connect)
    {
        var services = new Option<string>("--mcp_services") { Description = "Which services become tools: comma-separated globs, !glob leaves out (default: all). Env MICRO_MCP_SERVICES." };
        var command = new Command("mcp", "Serve every endpoint in the registry as an MCP tool over stdio (stdout carries the protocol; logs go to stderr).\n\nExamples:\n  micro mcp                                  # what an agent host runs\n  micro mcp --mcp_services 'greeter,orders*'")
        {
            services,
        };
        command.SetAction(async (parse, ct) =>
        {
            var options = McpOptions.Default with { Services = parse.GetValue(services) ?? Environment.GetEnvironmentVariable("MICRO_MCP_SERVICES") ?? "" };
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
                await using var tools = new RegistryTools(environment.Registry, environment.Client, options, logging.CreateLogger<RegistryTools>());
                await tools.StartAsync(ct).ConfigureAwait(false);
                try
                {
                    await MicroMcpServer.RunAsync(new StdioServerTransport(options.ServerName, logging), tools, options, logging, ct).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (ct.IsCancellationRequested)
                {
                    // Ctrl+C or SIGTERM
                }
            }

            return 0;
        });
        return command;
    }
}
