using System.Net;
using System.Net.Sockets;
using Micro.Registry;

namespace Micro.IntegrationTests;

/// <summary>Every `micro` command as a process against a real environment on loopback, with its output and exit code.</summary>
public sealed class CliProcessTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "micro-cli", Guid.NewGuid().ToString("N"));
    private RunningProcess _greeter = null!;
    private RunningProcess _streamer = null!;

    private Dictionary<string, string> Env => new()
    {
        ["MICRO_REGISTRY"] = "local",
        ["MICRO_REGISTRY_ADDRESS"] = _folder,
        ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
        ["NO_COLOR"] = "1",
    };

    public async Task InitializeAsync()
    {
        _greeter = new RunningProcess(Programs.GreeterService, [], Env);
        _streamer = new RunningProcess(Programs.StreamingService, [], Env);
        await _greeter.WaitForOutputAsync("registered in local", Patience);
        await _streamer.WaitForOutputAsync("registered in local", Patience);
    }

    public async Task DisposeAsync()
    {
        await _greeter.DisposeAsync();
        await _streamer.DisposeAsync();
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private Task<(int ExitCode, string Output)> Micro(params string[] args) => RunningProcess.RunAsync(Programs.Cli, args, Env, Patience);

    private Task<(int ExitCode, string Output)> MicroWithInput(string input, params string[] args) => RunningProcess.RunAsync(Programs.Cli, args, Env, Patience, input);

    private async Task<string> GreeterAddressAsync()
    {
        await using var registry = new LocalRegistry(_folder);
        return Assert.Single(Assert.Single(await registry.GetServiceAsync("greeter")).Nodes).Address;
    }

    [Fact]
    public async Task Reading_the_environment()
    {
        var list = await Micro("list", "services");
        Assert.Equal(0, list.ExitCode);
        Assert.Equal(["greeter", "streamer"], list.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

        var get = await Micro("get", "service", "greeter");
        Assert.Equal(0, get.ExitCode);
        Assert.Contains("Endpoint: Greeter.Hello", get.Output);
        Assert.Contains("name string", get.Output);

        var health = await Micro("health", "greeter");
        Assert.Equal(0, health.ExitCode);
        var lines = health.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("node\tversion\taddress\tstatus", lines[0]); // piped: tab-separated, a header, no colour codes
        Assert.EndsWith("\tok", lines[1].TrimEnd());
        Assert.DoesNotContain("\u001b[", health.Output);

        var stats = await Micro("stats", "greeter");
        Assert.Equal(0, stats.ExitCode);
        var rows = stats.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('\t')).ToArray();
        Assert.Equal(["node", "version", "address", "started", "uptime", "memory", "threads", "gc"], rows[0]);
        Assert.Equal(await GreeterAddressAsync(), rows[1][2]);
        Assert.EndsWith("MiB", rows[1][5]);
    }

    [Fact]
    public async Task Calling_and_streaming()
    {
        var call = await Micro("call", "greeter", "Greeter.Hello", """{"name":"John"}""");
        Assert.Equal(0, call.ExitCode);
        Assert.Contains("\"msg\": \"Hello John\"", call.Output); // indented by default

        var raw = await Micro("call", "greeter", "Greeter.Hello", """{"name":"Raw"}""", "--output", "raw", "--metadata", "X-User=alice");
        Assert.Equal((0, """{"msg":"Hello Raw"}"""), (raw.ExitCode, raw.Output.Trim()));

        var direct = await Micro("call", "greeter", "Greeter.Hello", """{"name":"Node"}""", "--address", await GreeterAddressAsync(), "--output", "raw");
        Assert.Equal((0, """{"msg":"Hello Node"}"""), (direct.ExitCode, direct.Output.Trim()));

        var piped = await MicroWithInput("""{"name":"Stdin"}""", "call", "greeter", "Greeter.Hello", "--output", "raw");
        Assert.Equal((0, """{"msg":"Hello Stdin"}"""), (piped.ExitCode, piped.Output.Trim()));

        var stream = await Micro("stream", "streamer", "Streamer.Count", """{"to":3}""");
        Assert.Equal(0, stream.ExitCode);
        Assert.Equal(["""{"n":1}""", """{"n":2}""", """{"n":3}"""], stream.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

        var echo = await MicroWithInput("{\"text\":\"a\"}\n{\"text\":\"b\"}\n", "stream", "streamer", "Streamer.Echo");
        Assert.Equal(0, echo.ExitCode);
        Assert.Contains("\"a\"", echo.Output);
        Assert.Contains("\"b\"", echo.Output);
    }

    [Fact]
    public async Task Registering_publishing_and_the_shell()
    {
        const string Service = """{"name":"cli.extra","nodes":[{"id":"extra-1","address":"127.0.0.1:9"}]}""";
        Assert.Equal(0, (await Micro("register", "service", Service)).ExitCode);
        Assert.Contains("cli.extra", (await Micro("list", "services")).Output);
        Assert.Equal(0, (await Micro("deregister", "service", Service)).ExitCode);
        Assert.DoesNotContain("cli.extra", (await Micro("list", "services")).Output);

        await using (var subscriber = new RunningProcess(Programs.Cli, ["subscribe", "cli.events"], Env))
        {
            await subscriber.WaitForOutputAsync("subscribed to cli.events", Patience);
            var publish = await Micro("publish", "cli.events", """{"hello":"subscriber"}""", "--metadata", "X-Trace=t1");
            Assert.Equal(0, publish.ExitCode);
            await subscriber.WaitForOutputAsync("\"hello\":\"subscriber\"", Patience);
            Assert.Contains("X-Trace=t1", subscriber.Output);
        }

        var shell = await MicroWithInput("list services\ncall greeter Greeter.Hello {\"name\": \"Shell\"}\n# a comment\nexit\n", "cli");
        Assert.Equal(0, shell.ExitCode);
        Assert.Contains("greeter", shell.Output);
        Assert.Contains("Hello Shell", shell.Output);

        var typo = await MicroWithInput("lst services\nhelp\n", "cli");
        var lines = typo.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("'lst' is not a command; did you mean list? (help lists them)", lines[0]); // one line, not the whole help
        Assert.Contains(lines, l => l.TrimStart().StartsWith("call ", StringComparison.Ordinal)); // then help lists the commands

        var bash = await Micro("completion", "bash");
        Assert.Contains("complete -o default -F _micro_complete micro", bash.Output);
        var suggestions = await Micro("[suggest:18]", "call greeter Greet");
        Assert.Contains("Greeter.Hello", suggestions.Output); // endpoint names come from the registry
    }

    [Fact]
    public async Task The_bot_on_the_console_answers_each_line_and_exits_at_end_of_input()
    {
        var bot = await MicroWithInput("help\nlist services\ncall greeter Greeter.Hello {\"name\": \"Bot\"}\nping\n", "bot", "--inputs", "console");
        Assert.Equal(0, bot.ExitCode);
        Assert.Contains("list services - the services in the registry", bot.Output);
        Assert.Contains("streamer", bot.Output);
        Assert.Contains("Hello Bot", bot.Output);
        Assert.Contains("pong", bot.Output);

        var badInput = await Micro("bot", "--inputs", "irc");
        Assert.Equal(2, badInput.ExitCode);
        Assert.Contains("--inputs 'irc' is not one of slack, xmpp, console", badInput.Output);
        var noJid = await Micro("bot", "--inputs", "xmpp");
        Assert.Equal(2, noJid.ExitCode);
        Assert.Contains("--inputs xmpp needs --xmpp_jid", noJid.Output);
    }

    [Fact]
    public async Task Bad_input_gets_a_clear_message_and_a_non_zero_exit()
    {
        var unknownService = await Micro("call", "nosuch", "X.Y", "{}");
        Assert.Equal(1, unknownService.ExitCode);
        Assert.Contains("service nosuch: not found", unknownService.Output);

        var unknownEndpoint = await Micro("call", "greeter", "Greeter.Nope", "{}");
        Assert.Equal(1, unknownEndpoint.ExitCode);
        Assert.Contains("unknown endpoint Greeter.Nope", unknownEndpoint.Output);
        Assert.Contains("Greeter.Hello", unknownEndpoint.Output); // what it does have

        var callOnStream = await Micro("call", "streamer", "Streamer.Count", "{\"to\":2}");
        Assert.Equal(1, callOnStream.ExitCode);
        Assert.Contains("Streamer.Count of service streamer is a stream endpoint: open a stream to it (micro stream streamer Streamer.Count)", callOnStream.Output);
        var streamOnCall = await Micro("stream", "greeter", "Greeter.Hello", "{}");
        Assert.Equal(1, streamOnCall.ExitCode);
        Assert.Contains("Greeter.Hello of service greeter is not a stream endpoint: call it (micro call greeter Greeter.Hello)", streamOnCall.Output);

        var badJson = await Micro("call", "greeter", "Greeter.Hello", "{\"name\":");
        Assert.Equal(2, badJson.ExitCode);
        Assert.Contains("not valid JSON", badJson.Output);

        var badService = await Micro("register", "service", """{"name":"x"}""");
        Assert.Equal(2, badService.ExitCode);
        Assert.Contains("needs \"nodes\"", badService.Output);

        var unknownCommand = await Micro("lst", "services");
        Assert.Equal(2, unknownCommand.ExitCode);
        Assert.Contains("'lst' was not matched", unknownCommand.Output);

        var missingArgument = await Micro("call");
        Assert.Equal(2, missingArgument.ExitCode);
        Assert.Equal(1, missingArgument.Output.Split("Required argument missing for command: 'call'.").Length - 1);
        Assert.Contains("Usage:\n  micro call <service> <endpoint>", missingArgument.Output);
        Assert.DoesNotContain("Micro.Cli", missingArgument.Output); // the command is micro, not the executable's file name

        var missing = await Micro("get", "service", "nosuch");
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("service nosuch not found in the local registry", missing.Output);

        using var closed = new TcpListener(IPAddress.Loopback, 0);
        closed.Start();
        var port = ((IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop(); // a port nothing listens on
        var unreachable = await Micro("list", "services", "--registry", "etcd", "--registry_address", $"127.0.0.1:{port}");
        Assert.Equal(1, unreachable.ExitCode);
        Assert.Contains("cannot be reached", unreachable.Output);
        Assert.Contains("--registry_address", unreachable.Output);
        Assert.DoesNotContain("   at ", unreachable.Output); // no stack trace
    }

    [Fact]
    public async Task Every_commands_help_has_examples()
    {
        // The commands the root's help lists, then their own subcommands, each asked for --help.
        var root = await Micro("--help");
        var commands = new Queue<string[]>(CommandsIn(root.Output).Select(c => new[] { c }));
        var checkedCount = 0;
        while (commands.TryDequeue(out var path))
        {
            Assert.True(path.Length <= 3, $"not a command path: {string.Join(' ', path)}");
            var help = await Micro([.. path, "--help"]);
            Assert.True(help.ExitCode == 0, $"micro {string.Join(' ', path)} --help exited {help.ExitCode}:\n{help.Output}");
            Assert.True(help.Output.Contains("Examples:", StringComparison.Ordinal), $"micro {string.Join(' ', path)} --help has no examples:\n{help.Output}");
            foreach (var sub in CommandsIn(help.Output))
            {
                commands.Enqueue([.. path, sub]);
            }

            checkedCount++;
        }

        Assert.True(checkedCount >= 20, $"expected every command, checked {checkedCount}");
    }

    /// <summary>The command names of a help's "Commands:" section.</summary>
    private static IEnumerable<string> CommandsIn(string help)
        => help.Split('\n').SkipWhile(l => l.TrimEnd() != "Commands:").Skip(1).TakeWhile(l => l.TrimEnd('\r').Length > 0)
            .Where(l => l.StartsWith("  ", StringComparison.Ordinal) && !l.StartsWith("   ", StringComparison.Ordinal)) // a name, not a description's next line
            .Select(l => l.Trim().Split(' ')[0]).Where(c => c.Length > 0 && !c.StartsWith('<'));
}
