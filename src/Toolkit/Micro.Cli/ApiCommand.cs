using System.CommandLine;
using System.Globalization;
using Micro.Api;
using Micro.Edge;
using Micro.Hosting;

namespace Micro.Cli;

/// <summary><c>micro api</c>: runs the HTTP gateway until stopped.</summary>
internal static class ApiCommand
{
    public static Command Create(Func<ParseResult, MicroEnvironment> connect)
    {
        var defaults = new ApiOptions();
        var address = new Option<string>("--address") { Description = $"Where the gateway listens (default {defaults.Address}). Env MICRO_API_ADDRESS." };
        var ns = new Option<string>("--namespace") { Description = $"Namespace of the services it reaches (default {defaults.Namespace})." };
        var handler = new Option<string>("--handler") { Description = "rpc (default), api, http, proxy, event or web; an endpoint's metadata 'handler' overrides it." };
        var resolver = new Option<string>("--resolver") { Description = "How paths name services: micro (default, go-micro's rules), path or host." };
        var enableRpc = new Option<bool>("--enable_rpc") { Description = "Serve /rpc ({service, endpoint, request}), which reaches any service." };
        var origins = new Option<string>("--cors_allowed_origins") { Description = "Comma-separated origins allowed by CORS (* for any)." };
        var methods = new Option<string>("--cors_allowed_methods") { Description = "Comma-separated methods allowed by CORS." };
        var headers = new Option<string>("--cors_allowed_headers") { Description = "Comma-separated request headers allowed by CORS." };
        var maxBody = new Option<long?>("--max_body_size") { Description = $"Largest request body in bytes (default {defaults.MaxBodyBytes})." };
        var timeout = new Option<string>("--request_timeout") { Description = "Per-request deadline behind the gateway, e.g. 10s (default: the client's)." };
        var rateLimit = new Option<string>("--rate_limit") { Description = "Requests per period for each caller (its identity with --auth, else its address), e.g. 100/s; past it 429 with Retry-After. Env MICRO_API_RATE_LIMIT." };
        var command = new Command("api", "Run the HTTP gateway: HTTP to RPC, api, events and reverse proxy, e.g. /greeter/hello -> go.micro.api.greeter Greeter.Hello.\n\nExamples:\n  micro api --address 127.0.0.1:8080 --namespace \"\"   # /greeter/hello -> greeter Greeter.Hello\n  MICRO_API_AUTH_KEYS=ops=k3y micro api --address 0.0.0.0:8080 --auth api_key --tls_cert_file cert.pem --tls_key_file key.pem")
        {
            address, ns, handler, resolver, enableRpc, origins, methods, headers, maxBody, timeout, rateLimit,
        };
        var tls = new EdgeTlsFlags();
        tls.AddTo(command);
        var authFlags = new EdgeAuthFlags("MICRO_API", "call");
        authFlags.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var error = parse.InvocationConfiguration.Error;
            ApiOptions options;
            try
            {
                options = new ApiOptions
                {
                    Address = parse.GetValue(address) ?? Environment.GetEnvironmentVariable("MICRO_API_ADDRESS") ?? defaults.Address,
                    Namespace = parse.GetValue(ns) ?? defaults.Namespace,
                    Handler = parse.GetValue(handler) ?? defaults.Handler,
                    Resolver = parse.GetValue(resolver) ?? defaults.Resolver,
                    EnableRpc = parse.GetValue(enableRpc),
                    CorsAllowedOrigins = List(parse.GetValue(origins)) ?? defaults.CorsAllowedOrigins,
                    CorsAllowedMethods = List(parse.GetValue(methods)) ?? defaults.CorsAllowedMethods,
                    CorsAllowedHeaders = List(parse.GetValue(headers)) ?? defaults.CorsAllowedHeaders,
                    MaxBodyBytes = parse.GetValue(maxBody) ?? defaults.MaxBodyBytes,
                    RequestTimeout = parse.GetValue(timeout) is { } t ? Durations.Parse(t, "--request_timeout") : null,
                    RateLimit = (parse.GetValue(rateLimit) ?? Environment.GetEnvironmentVariable("MICRO_API_RATE_LIMIT")) is { Length: > 0 } r ? EdgeRateLimit.Parse(r) : null,
                    Tls = tls.Read(parse),
                    Authenticator = authFlags.Read(parse),
                }.Validate();
            }
            catch (Exception e) when (e is ArgumentException or FormatException)
            {
                await error.WriteLineAsync("error: " + e.Message).ConfigureAwait(false);
                return 2;
            }

            return await ToolkitHost.RunAsync(parse, connect, async (environment, logging) =>
            {
                var server = await ApiServer.StartAsync(options, environment, logging, ct).ConfigureAwait(false);
                await parse.InvocationConfiguration.Output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"micro api listening on {(options.Tls is null ? "http" : "https")}://{server.Address} ({(options.Namespace.Length == 0 ? "no namespace: services by their own names" : "namespace " + options.Namespace)}, handler {options.Handler}, resolver {options.Resolver}{(options.EnableRpc ? ", /rpc enabled" : "")}{(options.RateLimit is { } limit ? $", rate limit {limit.Requests} per {limit.Period.TotalSeconds:0.###} s per caller" : "")})")).ConfigureAwait(false);
                return server;
            }, ct).ConfigureAwait(false);
        });
        return command;
    }

    internal static string[]? List(string? value)
        => string.IsNullOrWhiteSpace(value) ? null : value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
