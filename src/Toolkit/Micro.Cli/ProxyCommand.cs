using System.CommandLine;
using Micro.Hosting;
using Micro.Proxy;

namespace Micro.Cli;

/// <summary><c>micro proxy</c>: HTTP access to this environment for CLIs elsewhere (<c>--proxy_address</c>).</summary>
internal static class ProxyCommand
{
    public static Command Create(Func<ParseResult, MicroEnvironment> connect)
    {
        var defaults = new ProxyOptions();
        var address = new Option<string>("--address") { Description = $"Where the proxy listens (default {defaults.Address}). Env MICRO_PROXY_LISTEN." };
        var insecure = new Option<bool>("--insecure") { Description = "Allow listening beyond loopback with no --auth or --auth_token (anyone who reaches the proxy can register and call services)." };
        var command = new Command("proxy", "Run the proxy: /registry, /rpc, /stream, /broker and /health over this environment, so `micro --proxy_address http://host:8081 ...` works from elsewhere. With --auth_token every request needs that bearer token; --auth api_key|jwt checks keys or JWTs as micro api does.\n\nExamples:\n  micro proxy --address 127.0.0.1:8081 --auth_token s3cret-proxy-token-7f2a\n  micro list services --proxy_address http://127.0.0.1:8081 --auth_token s3cret-proxy-token-7f2a   # from elsewhere")
        {
            address, insecure,
        };
        var tls = new EdgeTlsFlags();
        tls.AddTo(command);
        var authFlags = new EdgeAuthFlags("MICRO_PROXY", "use the proxy (the CLI sends its --auth_token as the key or token)");
        authFlags.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var token = parse.GetValue<string>("--auth_token") ?? Environment.GetEnvironmentVariable("MICRO_AUTH_TOKEN");
            ProxyOptions options;
            try
            {
                options = new ProxyOptions
                {
                    Address = parse.GetValue(address) ?? Environment.GetEnvironmentVariable("MICRO_PROXY_LISTEN") ?? defaults.Address,
                    AuthToken = string.IsNullOrEmpty(token) ? null : token,
                    Authenticator = authFlags.Read(parse),
                    Insecure = parse.GetValue(insecure),
                };
            }
            catch (ArgumentException e)
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync("error: " + e.Message).ConfigureAwait(false);
                return 2;
            }

            return await ToolkitHost.RunAsync(parse, connect, async (environment, logging) =>
            {
                options = options with { Tls = tls.Read(parse) };
                var server = await ProxyServer.StartAsync(options, environment, logging, ct).ConfigureAwait(false);
                await parse.InvocationConfiguration.Output.WriteLineAsync(
                    $"micro proxy listening on {(options.Tls is null ? "http" : "https")}://{server.Address} ({environment.Registry.Name} registry, {environment.Broker.Name} broker{(options.Authenticator is not null ? ", --auth required" : options.AuthToken is null ? ", no token required" : ", bearer token required")})").ConfigureAwait(false);
                return server;
            }, ct).ConfigureAwait(false);
        });
        return command;
    }
}
