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

        public ValueTask HandleStreamAsync(ITransportStream stream, TransportPeer peer, CancellationToken cancellationToken)
            => stream.CompleteAsync(MicroException.BadRequest("test", "this handler takes no streams").ToJson(), cancellationToken);
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
