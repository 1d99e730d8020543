using Micro.Client;
using Micro.Codec;
using Micro.Commands;
using Micro.Registry;
using Micro.Selector;
using Micro.Transport;
using Micro.Transport.Http;
using Micro.Transport.Tcp;

namespace Micro.Tests;

/// <summary>The CLI's commands against a go-micro-shaped peer: an http transport node whose JSON replies end in a newline.</summary>
public sealed class GoPeerCommandTests
{
    /// <summary>What a go-micro v1 service's http transport answers: Go's JSON encoder ends every reply with \n.</summary>
    private sealed class GoLikeNode : ITransportHandler
    {
        public ValueTask<TransportMessage> HandleAsync(TransportMessage request, TransportPeer peer, CancellationToken cancellationToken)
        {
            var headers = TransportMessage.NewHeaders(1);
            headers[MicroHeaders.ContentType] = "application/json";
            var body = request.Headers.GetValueOrDefault(MicroHeaders.Endpoint) == "Debug.Health" ? "{\"status\":\"ok\"}\n" : "{\"msg\":\"Hello John\"}\n";
            return ValueTask.FromResult(new TransportMessage(headers, System.Text.Encoding.UTF8.GetBytes(body)));
        }
    }

    [Fact]
    public async Task Raw_output_is_the_bytes_as_received_and_health_and_address_calls_use_the_nodes_transport()
    {
        await using var registry = new MemoryRegistry();
        await using var serverHttp = new HttpTransport();
        await using var listener = await serverHttp.ListenAsync("127.0.0.1:0", new GoLikeNode());
        await registry.RegisterAsync(new Service
        {
            Name = "go.micro.srv.greeter",
            Nodes = [new Node { Id = "go-1", Address = listener.Address, Metadata = new Dictionary<string, string> { ["transport"] = "http", ["protocol"] = "mucp" } }],
            Endpoints = [new Endpoint { Name = "Say.Hello" }],
        }, TimeSpan.FromMinutes(1));
        await using var tcp = new TcpTransport();
        await using var http = new HttpTransport();
        await using var selector = new RegistrySelector(registry);
        var client = new MicroClient(selector, tcp, CodecRegistry.Default, transportFor: (name, _) => name == "http" ? http : null);
        var commands = new MicroCommands(registry, client, new Micro.Broker.MemoryBroker(), TimeSpan.FromMinutes(1));

        var output = new StringWriter();
        var error = new StringWriter();
        Assert.Equal(0, await commands.CallAsync("go.micro.srv.greeter", "Say.Hello", """{"name":"John"}""", CallOptions.Default, raw: true, output, error));
        Assert.Equal("{\"msg\":\"Hello John\"}\n", output.ToString()); // one newline: Go's, not another

        output = new StringWriter();
        Assert.Equal(0, await commands.CallAsync("go.micro.srv.greeter", "Say.Hello", "{}", new CallOptions { Address = listener.Address }, raw: true, output, error));
        Assert.Equal("{\"msg\":\"Hello John\"}\n", output.ToString()); // --address: over the node's own transport (http), not a tcp frame

        output = new StringWriter();
        Assert.Equal(0, await commands.HealthAsync("go.micro.srv.greeter", output, error));
        Assert.Contains("ok", output.ToString(), StringComparison.Ordinal);
        Assert.Equal("", error.ToString());
    }
}

/// <summary>How the command line reports what is wrong with it.</summary>
public sealed class CommandLineErrorTests
{
    [Fact]
    public async Task A_missing_argument_is_said_once_then_the_commands_help_and_exit_2()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await MicroCommandLine.RunAsync(["call"], output, error);
        Assert.Equal(ExitCodes.Usage, code);
        var said = error.ToString();
        Assert.Equal(1, said.Split("Required argument missing for command: 'call'.").Length - 1);
        Assert.Contains("Usage:", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("micro call greeter Greeter.Hello", output.ToString(), StringComparison.Ordinal); // the call command's help
    }

    [Theory]
    [InlineData(new[] { "--help" }, "  micro [command] [options]")]
    [InlineData(new[] { "call", "--help" }, "  micro call <service> <endpoint> [<request>] [options]")]
    [InlineData(new[] { "list", "services", "--help" }, "  micro list services [options]")]
    public async Task Help_names_the_command_micro_whatever_the_process_is_called(string[] args, string usage)
    {
        var output = new StringWriter();
        Assert.Equal(0, await MicroCommandLine.RunAsync(args, output, new StringWriter()));
        var lines = output.ToString().Split('\n');
        Assert.Equal(usage, lines[Array.IndexOf(lines, "Usage:") + 1]);
        Assert.DoesNotContain(RootCommandName, output.ToString(), StringComparison.Ordinal); // the host's name (testhost here, Micro.Cli for the CLI)
    }

    [Theory]
    [InlineData(0, "list", "services", "--registry", "memory", "--transport_tls_dev")]
    [InlineData(0, "list", "services", "--transport_tls_dev", "--registry", "memory")]
    [InlineData(0, "list", "services", "--registry", "memory", "--transport_tls_dev", "false", "--allow_link_local", "true")]
    [InlineData(ExitCodes.Usage, "list", "services", "--registry", "memory", "--transport_tls_dev", "maybe")]
    public async Task Switches_work_bare_and_with_true_or_false_and_anything_else_is_refused(int exitCode, params string[] args)
    {
        var error = new StringWriter();
        Assert.Equal(exitCode, await MicroCommandLine.RunAsync(args, new StringWriter(), error));
        if (exitCode != 0)
        {
            Assert.Contains("'maybe'", error.ToString(), StringComparison.Ordinal);
        }
    }

    private static string RootCommandName => System.CommandLine.RootCommand.ExecutableName;
}
