using System.CommandLine;
using System.CommandLine.Help;
using System.Globalization;
using Micro.Commands.Verbs;
using Micro.Hosting;
using Microsoft.Extensions.Configuration;

namespace Micro.Commands;

/// <summary>
/// The <c>micro</c> command line: global flags with go-micro's names (also read from <c>MICRO_*</c> variables) and the
/// commands. Parsing and running are here, not in the executable, so every front end (the CLI, the dashboard's
/// terminal, the bot, the interactive shell) accepts the same text.
/// </summary>
public static class MicroCommandLine
{
    private static readonly string[] GlobalFlags =
    [
        "registry", "registry_address", "registry_username", "registry_password", "registry_token", "registry_tls_cert", "registry_tls_key", "registry_tls_ca", "register_ttl", "register_interval", "selector", "transport", "transport_address",
        "client_request_timeout", "client_attempt_timeout", "client_retries", "client_hedge_delay", "client_retry_budget", "client_retry_budget_min", "client_retry_budget_window", "client_pool_size", "client_dial_timeout", "server_name", "server_address",
        "broker", "broker_address", "proxy_address", "auth_token",
        "transport_tls_cert", "transport_tls_key", "transport_tls_ca", "transport_tls_dev",
        "broker_tls_cert", "broker_tls_key", "broker_tls_ca", "broker_http_secret", "allow_link_local",
    ];

    /// <summary>Parses and runs one command line, writing to the given writers; returns the exit code.</summary>
    public static Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, MicroPlugins? plugins = null, TextReader? input = null, CancellationToken cancellationToken = default)
        => InvokeAsync(Build(plugins, input), args, output, error, cancellationToken);

    /// <summary>Runs a parsed line; a line that does not parse (unknown command, missing argument) exits 2, after the help saying why.</summary>
    public static Task<int> InvokeAsync(RootCommand root, string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
        => InvokeAsync(root, args, output, error, CommandCaller.LocalShell, cancellationToken);

    private static async Task<int> InvokeAsync(RootCommand root, string[] args, TextWriter output, TextWriter error, CommandCaller caller, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(root);
        // System.CommandLine replaces a token @path by the file's contents by default: only the local shell's user may
        // read this machine's files that way. For anyone else, @... is a literal argument.
        var configuration = caller.IsLocalShell ? null : new ParserConfiguration { ResponseFileTokenReplacer = null };
        var parse = root.Parse(args, configuration);
        var invocation = new InvocationConfiguration { Output = output, Error = error, ProcessTerminationTimeout = null };
        if (parse.Action is HelpAction)
        {
            return await HelpAsync(root, parse, output, error, cancellationToken).ConfigureAwait(false);
        }

        if (parse.Errors.Select(e => e.Message).Distinct(StringComparer.Ordinal).Count() == parse.Errors.Count)
        {
            // No errors, or each one different: System.CommandLine's own report (with its "did you mean" for typos).
            var code = await parse.InvokeAsync(invocation, cancellationToken).ConfigureAwait(false);
            return parse.Errors.Count > 0 ? ExitCodes.Usage : code;
        }

        // Each problem once (two missing arguments are two identical lines in System.CommandLine's own report), then the
        // help of the command that was meant.
        foreach (var message in parse.Errors.Select(e => e.Message).Distinct(StringComparer.Ordinal))
        {
            await error.WriteLineAsync(message).ConfigureAwait(false);
        }

        await error.WriteLineAsync().ConfigureAwait(false);
        var path = new List<string>();
        for (var result = parse.CommandResult; result is { Parent: not null }; result = result.Parent as System.CommandLine.Parsing.CommandResult)
        {
            path.Insert(0, result.Command.Name);
        }

        await HelpAsync(root, root.Parse([.. path, "--help"], configuration), output, error, cancellationToken).ConfigureAwait(false);
        return ExitCodes.Usage;
    }

    /// <summary>Help, with the command named <c>micro</c> in its usage lines rather than after the process.</summary>
    private static async Task<int> HelpAsync(RootCommand root, ParseResult help, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        using var buffer = new StringWriter(CultureInfo.InvariantCulture);
        var code = await help.InvokeAsync(new InvocationConfiguration { Output = buffer, Error = error, ProcessTerminationTimeout = null }, cancellationToken).ConfigureAwait(false);
        await output.WriteAsync(CommandName.InHelp(buffer.ToString(), root.Name)).ConfigureAwait(false);
        return code;
    }

    /// <summary>
    /// Runs one command line for <paramref name="caller"/> against an environment already connected (the dashboard's
    /// terminal, the bot): the global environment flags are ignored, the commands use <paramref name="commands"/>.
    /// </summary>
    public static Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, MicroCommands commands, CommandCaller caller, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(commands);
        ArgumentNullException.ThrowIfNull(caller);
        return InvokeAsync(Connected(commands, TextReader.Null, caller), args, output, error, caller, cancellationToken);
    }

    /// <summary>
    /// The command tree. <paramref name="extend"/> lets the executable add the long-running toolkit commands (api, web,
    /// proxy, bot) with the same global flags: it gets the root and the function that connects to the environment they name.
    /// </summary>
    public static RootCommand Build(MicroPlugins? plugins = null, TextReader? input = null, Action<RootCommand, Func<ParseResult, MicroEnvironment>>? extend = null)
    {
        var root = new RootCommand("""
            micro: run and operate microservices. Commands reach the environment the flags (or MICRO_* variables) name:
            the local registry by default, or etcd, consul, kubernetes; directly, or through micro proxy (--proxy_address).
            Exit codes: 0 done, 1 failed (unknown service, the service's error, unreachable registry), 2 bad input.
            """);
        // Switches (--transport_tls_dev) are booleans: bare for true, or with true/false; the rest take a value.
        var flags = GlobalFlags.Where(f => !MicroFlags.Switches.Contains(f)).ToDictionary(f => f, f => new Option<string>("--" + f) { Description = Describe(f), Recursive = true });
        var switches = GlobalFlags.Where(MicroFlags.Switches.Contains).ToDictionary(f => f, f => new Option<bool>("--" + f) { Description = Describe(f), Recursive = true });
        foreach (var flag in flags.Values.Cast<Option>().Concat(switches.Values))
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

            foreach (var (name, option) in switches)
            {
                if (parse.GetResult(option) is not null)
                {
                    given[name] = parse.GetValue(option) ? "true" : "false";
                }
            }

            var configuration = new ConfigurationBuilder().AddEnvironmentVariables("MICRO_").AddInMemoryCollection(given).Build();
            return MicroEnvironment.Create(MicroSettings.FromConfiguration(configuration), plugins);
        }

        // Through micro proxy when --proxy_address (MICRO_PROXY_ADDRESS) names one, else directly.
        (MicroCommands, IAsyncDisposable) ConnectCommands(ParseResult parse)
        {
            // A terminal gets aligned tables, coloured unless NO_COLOR is set (no-color.org: colour off, layout kept).
            var terminal = ReferenceEquals(parse.InvocationConfiguration.Output, Console.Out) && !Console.IsOutputRedirected;
            var styled = !terminal ? TableStyle.Plain : Environment.GetEnvironmentVariable("NO_COLOR") is { Length: > 0 } ? TableStyle.Aligned : TableStyle.Coloured;
            var proxy = parse.GetValue(flags["proxy_address"]) ?? Environment.GetEnvironmentVariable("MICRO_PROXY_ADDRESS");
            if (proxy is { Length: > 0 })
            {
                var token = parse.GetValue(flags["auth_token"]) ?? Environment.GetEnvironmentVariable("MICRO_AUTH_TOKEN");
                var connection = new Proxy.ProxyConnection(proxy, token);
                return (new MicroCommands(connection.Registry, connection.Client, connection.Broker, MicroSettings.Default.RegisterTtl) { Style = styled, OwnsBroker = true }, connection);
            }

            var environment = Connect(parse);
            return (new MicroCommands(environment) { Style = styled, OwnsBroker = true }, environment);
        }

        var context = new CommandContext(ConnectCommands, input ?? Console.In, CommandCaller.LocalShell);
        AddCommands(root, context);
        root.Subcommands.Add(ShellCommand.Create(context, commands => Connected(commands, input ?? Console.In, CommandCaller.LocalShell)));
        root.Subcommands.Add(NewCommand.Create());
        root.Subcommands.Add(CompletionCommand.Create());
        extend?.Invoke(root, Connect);
        return root;
    }

    /// <summary>The commands over one connection that is already open (no global flags: they would name another).</summary>
    private static RootCommand Connected(MicroCommands commands, TextReader input, CommandCaller caller)
    {
        var root = new RootCommand("micro commands over the current connection.");
        AddCommands(root, new CommandContext(_ => (commands, NothingToDispose.Instance), input, caller));
        return root;
    }

    private static void AddCommands(RootCommand root, CommandContext context)
    {
        root.Subcommands.Add(QueryCommands.List(context));
        root.Subcommands.Add(QueryCommands.Get(context));
        root.Subcommands.Add(CallCommands.Call(context));
        root.Subcommands.Add(CallCommands.Stream(context));
        root.Subcommands.Add(QueryCommands.Health(context));
        root.Subcommands.Add(QueryCommands.Stats(context));
        root.Subcommands.Add(RegistryCommands.Register(context));
        root.Subcommands.Add(RegistryCommands.Deregister(context));
        root.Subcommands.Add(BrokerCommands.Publish(context));
        root.Subcommands.Add(BrokerCommands.Subscribe(context));
    }

    private static string Describe(string flag) => flag switch
    {
        "registry" => "Registry: local (default), memory, etcd, consul, kubernetes. Env MICRO_REGISTRY.",
        "registry_address" => "Registry address; for local, the folder. Env MICRO_REGISTRY_ADDRESS.",
        "registry_username" => "etcd: user for etcd's authentication. Env MICRO_REGISTRY_USERNAME.",
        "registry_password" => "etcd: its password (prefer the variable: flags show in ps). Env MICRO_REGISTRY_PASSWORD.",
        "registry_token" => "consul: ACL token, sent as X-Consul-Token. Env MICRO_REGISTRY_TOKEN.",
        "registry_tls_cert" => "TLS client certificate (PEM) for etcd or Consul. Env MICRO_REGISTRY_TLS_CERT.",
        "registry_tls_key" => "Its private key (PEM). Env MICRO_REGISTRY_TLS_KEY.",
        "registry_tls_ca" => "CA (PEM) the registry server's certificate must chain to; turns on TLS to it. Env MICRO_REGISTRY_TLS_CA.",
        "selector" => "Selector: random (default), roundrobin, hashed, p2c (least loaded of two), blacklist. Env MICRO_SELECTOR.",
        "broker" => "Broker: http (default), memory, nats, rabbitmq. Env MICRO_BROKER.",
        "broker_address" => "Broker address(es), e.g. 127.0.0.1:4222. Env MICRO_BROKER_ADDRESS.",
        "transport" => "Transport: tcp (default), http, nats, rabbitmq. Env MICRO_TRANSPORT.",
        "client_request_timeout" => "Request timeout, e.g. 5s. Env MICRO_CLIENT_REQUEST_TIMEOUT.",
        "client_attempt_timeout" => "Limit of one attempt, e.g. 500ms; a slow node then costs one attempt and the retry goes elsewhere. Env MICRO_CLIENT_ATTEMPT_TIMEOUT.",
        "client_retries" => "Retries after a failed attempt. Env MICRO_CLIENT_RETRIES.",
        "client_hedge_delay" => "Hedge idempotent calls after this delay (default p95: each endpoint's 95th percentile), or off. Env MICRO_CLIENT_HEDGE_DELAY.",
        "client_retry_budget" => "Retries per service at most this share of calls (default 0.2), or off. Env MICRO_CLIENT_RETRY_BUDGET.",
        "client_retry_budget_min" => "Retries per second per service always allowed (default 10). Env MICRO_CLIENT_RETRY_BUDGET_MIN.",
        "client_retry_budget_window" => "How far back the retry budget counts calls (default 10s). Env MICRO_CLIENT_RETRY_BUDGET_WINDOW.",
        "proxy_address" => "Work through micro proxy at this URL (e.g. http://127.0.0.1:8081) instead of the registry and transport. Env MICRO_PROXY_ADDRESS.",
        "transport_tls_cert" => "TLS client certificate (PEM) for the tcp transport, for servers that require one. Env MICRO_TRANSPORT_TLS_CERT.",
        "transport_tls_key" => "Its private key (PEM). Env MICRO_TRANSPORT_TLS_KEY.",
        "transport_tls_ca" => "CA (PEM) the services' certificates must chain to; turns on TLS to them. Env MICRO_TRANSPORT_TLS_CA.",
        "transport_tls_dev" => "true: development TLS with this user's shared self-signed certificate. Env MICRO_TRANSPORT_TLS_DEV.",
        "broker_tls_cert" => "TLS client certificate (PEM) presented to the broker (nats, rabbitmq). Env MICRO_BROKER_TLS_CERT.",
        "broker_tls_key" => "Its private key (PEM). Env MICRO_BROKER_TLS_KEY.",
        "broker_tls_ca" => "CA (PEM) the broker's certificate must chain to; turns on TLS to the broker. Env MICRO_BROKER_TLS_CA.",
        "broker_http_secret" => "http broker: sign envelopes with this shared secret (16+ bytes) and refuse unsigned ones; every process sharing the broker needs it. Env MICRO_BROKER_HTTP_SECRET.",
        "allow_link_local" => "true: nodes at link-local and metadata addresses (169.254.0.0/16, fe80::/10, fd00:ec2::254) may be called. Env MICRO_ALLOW_LINK_LOCAL.",
        "auth_token" => "Token micro proxy requires (micro proxy --auth_token sets it; the CLI sends it). Env MICRO_AUTH_TOKEN.",
        _ => $"Env MICRO_{flag.ToUpperInvariant()}.",
    };

    private sealed class NothingToDispose : IAsyncDisposable
    {
        public static readonly NothingToDispose Instance = new();

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
