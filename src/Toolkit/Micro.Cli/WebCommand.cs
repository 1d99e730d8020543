using System.CommandLine;
using Micro.Hosting;
using Micro.Web;

namespace Micro.Cli;

/// <summary><c>micro web</c>: the dashboard and the <c>/[name]</c> proxy to web apps.</summary>
internal static class WebCommand
{
    public static Command Create(Func<ParseResult, MicroEnvironment> connect)
    {
        var defaults = new WebOptions();
        var address = new Option<string>("--address") { Description = $"Where the dashboard listens (default {defaults.Address}). Env MICRO_WEB_ADDRESS." };
        var ns = new Option<string>("--namespace") { Description = $"Web apps are services named <namespace>.<name>, served at /<name> (default {defaults.Namespace})." };
        var insecure = new Option<bool>("--insecure") { Description = "Allow listening beyond loopback with no --auth (anyone who reaches the dashboard can call every service)." };
        var appsAddress = new Option<string>("--apps_address") { Description = "Serve web apps from this second address (their own origin) instead of /<name> on the dashboard's. Env MICRO_WEB_APPS_ADDRESS." };
        var lifetime = new Option<string>("--session_lifetime") { Description = "How long a sign-in lasts, e.g. 8h (default 12h)." };
        var command = new Command("web", "Run the dashboard: services, nodes and endpoints live, a call form, web apps at /<name>, and a terminal for CLI commands.\n\nExamples:\n  micro web --address 127.0.0.1:8082\n  micro web --address 127.0.0.1:8082 --apps_address 127.0.0.1:8083   # web apps from an origin of their own")
        {
            address, ns, insecure, lifetime, appsAddress,
        };
        var tls = new EdgeTlsFlags();
        tls.AddTo(command);
        var authFlags = new EdgeAuthFlags("MICRO_WEB", "use the dashboard (signing in with a key or token)");
        authFlags.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            WebOptions options;
            try
            {
                options = new WebOptions
                {
                    Address = parse.GetValue(address) ?? Environment.GetEnvironmentVariable("MICRO_WEB_ADDRESS") ?? defaults.Address,
                    Namespace = parse.GetValue(ns) ?? defaults.Namespace,
                    Authenticator = authFlags.Read(parse),
                    Insecure = parse.GetValue(insecure),
                    AppsAddress = parse.GetValue(appsAddress) ?? Environment.GetEnvironmentVariable("MICRO_WEB_APPS_ADDRESS"),
                    SessionLifetime = parse.GetValue(lifetime) is { } l ? Durations.Parse(l, "--session_lifetime") : defaults.SessionLifetime,
                };
            }
            catch (Exception e) when (e is ArgumentException or FormatException)
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync("error: " + e.Message).ConfigureAwait(false);
                return 2;
            }

            return await ToolkitHost.RunAsync(parse, connect, async (environment, logging) =>
            {
                options = options with { Tls = tls.Read(parse) };
                var server = await DashboardServer.StartAsync(options, environment, logging, ct).ConfigureAwait(false);
                await parse.InvocationConfiguration.Output.WriteLineAsync($"micro web listening on {(options.Tls is null ? "http" : "https")}://{server.Address} (web apps: {options.Namespace}.<name> at {(server.AppsAddress is { } apps ? $"{(options.Tls is null ? "http" : "https")}://{apps}" : "")}/<name>)").ConfigureAwait(false);
                return server;
            }, ct).ConfigureAwait(false);
        });
        return command;
    }
}
