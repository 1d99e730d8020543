using System.CommandLine;
using Micro.Client;
using Micro.Hosting;
using Microsoft.Extensions.Configuration;

namespace Micro.Commands;

/// <summary>
/// The <c>micro</c> command line: global flags with go-micro's names (also read from <c>MICRO_*</c> variables) and the
/// commands. Parsing and running are here, not in the executable, so every front end accepts the same text.
/// </summary>
public static class MicroCommandLine
{
    private static readonly string[] GlobalFlags =
    [
        "registry", "registry_address", "register_ttl", "register_interval", "selector", "transport", "transport_address",
        "client_request_timeout", "client_retries", "client_pool_size", "client_dial_timeout", "server_name", "server_address",
        "broker", "broker_address", "proxy_address", "auth_token",
    ];

    /// <summary>Parses and runs one command line, writing to the given writers; returns the exit code.</summary>
    public static Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, MicroPlugins? plugins = null, CancellationToken cancellationToken = default, TextReader? input = null)
    {
        var root = Build(plugins, input);
        var parsed = root.Parse(args);
        return parsed.InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, cancellationToken);
    }

    /// <summary>
    /// The command tree. <paramref name="extend"/> lets the executable add the long-running toolkit commands (api, web,
    /// proxy) with the same global flags: it gets the root and the function that connects to the environment they name.
    /// </summary>
    public static RootCommand Build(MicroPlugins? plugins = null, TextReader? input = null, Action<RootCommand, Func<ParseResult, MicroEnvironment>>? extend = null)
        => Build(plugins, input, extend, null);

    /// <summary>
    /// Runs one command line against an environment already connected (the dashboard's terminal, the bot): the global
    /// environment flags are ignored, the commands use <paramref name="commands"/>.
    /// </summary>
    public static Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, MicroCommands commands, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(commands);
        var root = Build(null, TextReader.Null, null, commands);
        return root.Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error, ProcessTerminationTimeout = null }, cancellationToken);
    }

    private static RootCommand Build(MicroPlugins? plugins, TextReader? input, Action<RootCommand, Func<ParseResult, MicroEnvironment>>? extend, MicroCommands? connected)
    {
        var root = new RootCommand("micro: run and operate microservices (list, get, call, stream, health, register, deregister, publish, subscribe).");
        var flags = GlobalFlags.ToDictionary(f => f, f => new Option<string>("--" + f) { Description = Describe(f), Recursive = true });
        foreach (var flag in flags.Values)
        {
            root.Options.Add(flag);
        }

        MicroEnvironment Connect(ParseResult parse)
        {
            var given = new Dictionary<string, string?>();
            foreach (var (name, option) in flags)
            {
                if (parse.GetValue(option) is { Length: > 0 } value)
                {
                    given[name] = value;
                }
            }

            var configuration = new ConfigurationBuilder().AddEnvironmentVariables("MICRO_").AddInMemoryCollection(given).Build();
            return MicroEnvironment.Create(MicroSettings.FromConfiguration(configuration), plugins);
        }

        // The commands' environment: through micro proxy when --proxy_address (MICRO_PROXY_ADDRESS) names one, else direct.
        (MicroCommands, IAsyncDisposable) ConnectCommands(ParseResult parse)
        {
            if (connected is not null)
            {
                return (connected, NothingToDispose.Instance);
            }

            var proxy = parse.GetValue(flags["proxy_address"]) ?? Environment.GetEnvironmentVariable("MICRO_PROXY_ADDRESS");
            if (proxy is { Length: > 0 })
            {
                var token = parse.GetValue(flags["auth_token"]) ?? Environment.GetEnvironmentVariable("MICRO_AUTH_TOKEN");
                var connection = new Micro.Proxy.ProxyConnection(proxy, token);
                return (new MicroCommands(connection.Registry, connection.Client, connection.Broker, MicroSettings.Default.RegisterTtl), connection);
            }

            var environment = Connect(parse);
            return (new MicroCommands(environment), environment);
        }

        // micro list services
        var list = new Command("list", "List items in the environment.");
        var listServices = new Command("services", "List the services in the registry.");
        listServices.SetAction((parse, ct) => WithEnvironment(parse, ConnectCommands, (commands, output, _) => commands.ListServicesAsync(output, ct)));
        list.Subcommands.Add(listServices);
        root.Subcommands.Add(list);

        // micro get service <name>
        var get = new Command("get", "Get an item's details.");
        var getService = new Command("service", "Show a service's versions, nodes and endpoints.");
        var serviceName = new Argument<string>("name") { Description = "The service name, e.g. greeter." };
        getService.Arguments.Add(serviceName);
        getService.SetAction((parse, ct) => WithEnvironment(parse, ConnectCommands, (commands, output, error) => commands.GetServiceAsync(parse.GetRequiredValue(serviceName), output, error, ct)));
        get.Subcommands.Add(getService);
        root.Subcommands.Add(get);

        // micro call <service> <endpoint> [json]
        var call = new Command("call", "Call a service endpoint with a JSON request and print the JSON reply.");
        var callService = new Argument<string>("service") { Description = "The service name, e.g. greeter." };
        var callEndpoint = new Argument<string>("endpoint") { Description = "The endpoint, e.g. Greeter.Hello." };
        var callBody = new Argument<string?>("request") { Description = "The request as JSON (default {}).", Arity = ArgumentArity.ZeroOrOne };
        var address = new Option<string?>("--address") { Description = "Call this node address (host:port) instead of selecting one." };
        var metadata = new Option<string[]>("--metadata") { Description = "Metadata sent as headers, key=value; repeat for more.", AllowMultipleArgumentsPerToken = false };
        var outputFormat = new Option<string>("--output") { Description = "json (indented, default) or raw.", DefaultValueFactory = _ => "json" };
        outputFormat.AcceptOnlyFromAmong("json", "raw");
        call.Arguments.Add(callService);
        call.Arguments.Add(callEndpoint);
        call.Arguments.Add(callBody);
        call.Options.Add(address);
        call.Options.Add(metadata);
        call.Options.Add(outputFormat);
        call.SetAction((parse, ct) => WithEnvironment(parse, ConnectCommands, async (commands, output, error) =>
        {
            if (ParsePairs(parse.GetValue(metadata), out var pairs) is { } bad)
            {
                await error.WriteLineAsync(bad).ConfigureAwait(false);
                return 2;
            }

            var options = new CallOptions { Address = parse.GetValue(address), Metadata = pairs };
            return await commands.CallAsync(parse.GetRequiredValue(callService), parse.GetRequiredValue(callEndpoint), parse.GetValue(callBody),
                options, parse.GetValue(outputFormat) == "raw", output, error, ct).ConfigureAwait(false);
        }));
        root.Subcommands.Add(call);

        // micro stream <service> <endpoint> [json]
        var stream = new Command("stream", "Stream with a stream endpoint: prints each reply as it arrives. Without a request, sends each line of standard input.");
        var streamService = new Argument<string>("service") { Description = "The service name, e.g. streamer." };
        var streamEndpoint = new Argument<string>("endpoint") { Description = "The stream endpoint, e.g. Streamer.Count." };
        var streamBody = new Argument<string?>("request") { Description = "One request as JSON; omit to send standard input, one JSON message per line.", Arity = ArgumentArity.ZeroOrOne };
        stream.Arguments.Add(streamService);
        stream.Arguments.Add(streamEndpoint);
        stream.Arguments.Add(streamBody);
        stream.SetAction((parse, ct) => WithEnvironment(parse, ConnectCommands, (commands, output, error) =>
            commands.StreamAsync(parse.GetRequiredValue(streamService), parse.GetRequiredValue(streamEndpoint), parse.GetValue(streamBody), input ?? Console.In, output, error, ct)));
        root.Subcommands.Add(stream);

        // micro health <service>
        var health = new Command("health", "Call Debug.Health on every node of a service.");
        var healthService = new Argument<string>("service") { Description = "The service name." };
        health.Arguments.Add(healthService);
        health.SetAction((parse, ct) => WithEnvironment(parse, ConnectCommands, (commands, output, error) => commands.HealthAsync(parse.GetRequiredValue(healthService), output, error, ct)));
        root.Subcommands.Add(health);

        // micro register service <json> / micro deregister service <json>
        var register = new Command("register", "Register an item.");
        var registerService = new Command("service", "Register a service from go-micro's service JSON (name, version, endpoints, nodes).");
        var registerJson = new Argument<string>("json") { Description = "The service JSON." };
        registerService.Arguments.Add(registerJson);
        registerService.SetAction((parse, ct) => WithEnvironment(parse, ConnectCommands, (commands, output, error) => commands.RegisterAsync(parse.GetRequiredValue(registerJson), output, error, ct)));
        register.Subcommands.Add(registerService);
        root.Subcommands.Add(register);
        var deregister = new Command("deregister", "Deregister an item.");
        var deregisterService = new Command("service", "Deregister the nodes given in a service JSON.");
        var deregisterJson = new Argument<string>("json") { Description = "The service JSON." };
        deregisterService.Arguments.Add(deregisterJson);
        deregisterService.SetAction((parse, ct) => WithEnvironment(parse, ConnectCommands, (commands, output, error) => commands.DeregisterAsync(parse.GetRequiredValue(deregisterJson), output, error, ct)));
        deregister.Subcommands.Add(deregisterService);
        root.Subcommands.Add(deregister);

        // micro publish <topic> <json>
        var publish = new Command("publish", "Publish a JSON message to a topic.");
        var publishTopic = new Argument<string>("topic") { Description = "The topic, e.g. orders.created." };
        var publishBody = new Argument<string?>("message") { Description = "The message as JSON (default {}).", Arity = ArgumentArity.ZeroOrOne };
        var publishMetadata = new Option<string[]>("--metadata") { Description = "Headers, key=value; repeat for more." };
        publish.Arguments.Add(publishTopic);
        publish.Arguments.Add(publishBody);
        publish.Options.Add(publishMetadata);
        publish.SetAction((parse, ct) => WithEnvironment(parse, ConnectCommands, async (commands, output, error) =>
        {
            if (ParsePairs(parse.GetValue(publishMetadata), out var pairs) is { } bad)
            {
                await error.WriteLineAsync(bad).ConfigureAwait(false);
                return 2;
            }

            return await commands.PublishAsync(parse.GetRequiredValue(publishTopic), parse.GetValue(publishBody), pairs, output, error, ct).ConfigureAwait(false);
        }));
        root.Subcommands.Add(publish);

        // micro subscribe <topic> [--queue q]
        var subscribe = new Command("subscribe", "Print the messages of a topic as they arrive (for debugging).");
        var subscribeTopic = new Argument<string>("topic") { Description = "The topic." };
        var queue = new Option<string?>("--queue") { Description = "Join this queue group (share messages with its other members)." };
        subscribe.Arguments.Add(subscribeTopic);
        subscribe.Options.Add(queue);
        subscribe.SetAction((parse, ct) => WithEnvironment(parse, ConnectCommands, (commands, output, error) =>
            commands.SubscribeAsync(parse.GetRequiredValue(subscribeTopic), parse.GetValue(queue), output, error, ct)));
        root.Subcommands.Add(subscribe);

        extend?.Invoke(root, Connect);
        return root;
    }

    /// <summary>Parses key=value pairs; returns an error message for the first bad one.</summary>
    private static string? ParsePairs(string[]? values, out Dictionary<string, string>? pairs)
    {
        pairs = null;
        foreach (var pair in values ?? [])
        {
            var eq = pair.IndexOf('=');
            if (eq <= 0)
            {
                return $"error: --metadata '{pair}' is not key=value";
            }

            (pairs ??= new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase))[pair[..eq]] = pair[(eq + 1)..];
        }

        return null;
    }

    private static async Task<int> WithEnvironment(ParseResult parse, Func<ParseResult, (MicroCommands, IAsyncDisposable)> connect, Func<MicroCommands, TextWriter, TextWriter, Task<int>> run)
    {
        var output = parse.InvocationConfiguration.Output;
        var error = parse.InvocationConfiguration.Error;
        MicroCommands commands;
        IAsyncDisposable environment;
        try
        {
            (commands, environment) = connect(parse);
        }
        catch (Exception e) when (e is ArgumentException or FormatException)
        {
            await error.WriteLineAsync("error: " + e.Message).ConfigureAwait(false);
            return 2;
        }

        await using (environment.ConfigureAwait(false))
        {
            try
            {
                return await run(commands, output, error).ConfigureAwait(false);
            }
            catch (MicroException e)
            {
                // Whatever a command did not handle itself (an unreachable registry or proxy, a refused token): said, not thrown.
                await error.WriteLineAsync($"error: {e.Detail} ({e.Code} {e.Status} from {(e.Id.Length > 0 ? e.Id : "the environment")})").ConfigureAwait(false);
                return 1;
            }
        }
    }

    private static string Describe(string flag) => flag switch
    {
        "registry" => "Registry: local (default), memory, etcd, consul, kubernetes. Env MICRO_REGISTRY.",
        "registry_address" => "Registry address; for local, the folder. Env MICRO_REGISTRY_ADDRESS.",
        "selector" => "Selector: random (default), roundrobin, hashed, blacklist. Env MICRO_SELECTOR.",
        "broker" => "Broker: http (default), memory, nats, rabbitmq. Env MICRO_BROKER.",
        "broker_address" => "Broker address(es), e.g. 127.0.0.1:4222. Env MICRO_BROKER_ADDRESS.",
        "transport" => "Transport: tcp (default) or a plugin. Env MICRO_TRANSPORT.",
        "client_request_timeout" => "Request timeout, e.g. 5s. Env MICRO_CLIENT_REQUEST_TIMEOUT.",
        "client_retries" => "Retries after a failed attempt. Env MICRO_CLIENT_RETRIES.",
        "proxy_address" => "Work through micro proxy at this URL (e.g. http://127.0.0.1:8081) instead of the registry and transport. Env MICRO_PROXY_ADDRESS.",
        "auth_token" => "Token micro proxy requires (micro proxy --auth_token sets it; the CLI sends it). Env MICRO_AUTH_TOKEN.",
        _ => $"Env MICRO_{flag.ToUpperInvariant()}.",
    };

    private sealed class NothingToDispose : IAsyncDisposable
    {
        public static readonly NothingToDispose Instance = new();

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
