using Micro.Client;
using Micro.Codec;
using Micro.Registry;
using Micro.Selector;
using Micro.Server;
using Micro.Transport;
using Micro.Transport.Http;
using Micro.Transport.Tcp;
using Microsoft.Extensions.DependencyInjection;

namespace Micro.Tests;

public sealed class MixedTransportTests
{
    public sealed class WhoAmI
    {
        public Task<HelloResponse> Node(HelloRequest request, CancellationToken ct) => Task.FromResult(new HelloResponse(CallContext.Current!.NodeId));
    }

    [Fact]
    public async Task A_tcp_call_to_an_http_node_says_which_protocol_answered_and_which_flag_reaches_it()
    {
        await using var http = new HttpTransport();
        await using var httpListener = await http.ListenAsync("127.0.0.1:0", new Answer());
        await using var tcp = new TcpTransport(TransportOptions.Default with { PoolSize = 1 });

        // An HTTP server answers a tcp frame with "HTTP/1.1 400 ...": once said as "a frame of 1213486164 bytes".
        var e = await Assert.ThrowsAsync<MicroException>(async () => await tcp.RequestAsync(httpListener.Address, new TransportMessage(null, "x"u8.ToArray())).AsTask().WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("speaks HTTP", e.Detail, StringComparison.Ordinal);
        Assert.Contains("--transport http", e.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain("1213486164", e.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new byte[] { 0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28 }, "speaks TLS", "--transport_tls_ca")] // a TLS alert
    [InlineData(new byte[] { (byte)'{', (byte)'"', (byte)'e', (byte)'"', (byte)':', (byte)'1', (byte)'}' }, "speaks JSON", "--transport")]
    public async Task A_peer_answering_in_another_protocol_is_named(byte[] answer, string said, string flag)
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var judged = new TaskCompletionSource();
        var serving = Task.Run(async () =>
        {
            using var peer = await listener.AcceptSocketAsync();
            await peer.SendAsync(answer, System.Net.Sockets.SocketFlags.None);
            await judged.Task; // keeps the connection open: the client must judge the bytes, not a close
        });
        await using var tcp = new TcpTransport(TransportOptions.Default with { PoolSize = 1 });
        var e = await Assert.ThrowsAsync<MicroException>(async () => await tcp.RequestAsync(listener.LocalEndpoint.ToString()!, new TransportMessage(null, "x"u8.ToArray())).AsTask().WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains(said, e.Detail, StringComparison.Ordinal);
        Assert.Contains(flag, e.Detail, StringComparison.Ordinal);
        judged.SetResult();
        await serving;
    }

    private sealed class Answer : ITransportHandler
    {
        public ValueTask<TransportMessage> HandleAsync(TransportMessage request, TransportPeer peer, CancellationToken cancellationToken)
            => ValueTask.FromResult(new TransportMessage(null, "ok"u8.ToArray()));

        public ValueTask HandleStreamAsync(ITransportStream stream, TransportPeer peer, CancellationToken cancellationToken)
            => stream.CompleteAsync(MicroException.BadRequest("test", "this handler takes no streams").ToJson(), cancellationToken);
    }

    [Fact]
    public async Task A_client_speaks_to_each_node_over_the_transport_it_advertises()
    {
        await using var registry = new MemoryRegistry();
        await using var tcp = new TcpTransport();
        await using var http = new HttpTransport();
        var services = new ServiceCollection().BuildServiceProvider();
        await using var tcpNode = new MicroServer(ServerOptions.Default with { Name = "mixed", Id = "tcp-node" }, registry, tcp, HandlerEndpoints.From(typeof(WhoAmI)), services);
        await using var httpNode = new MicroServer(ServerOptions.Default with { Name = "mixed", Id = "http-node" }, registry, http, HandlerEndpoints.From(typeof(WhoAmI)), services);
        await tcpNode.StartAsync();
        await httpNode.StartAsync();
        var nodes = Assert.Single(await registry.GetServiceAsync("mixed")).Nodes;
        Assert.Equal(["http", "tcp"], nodes.Select(n => n.Metadata!["transport"]).Order());

        await using var clientTcp = new TcpTransport();
        await using var clientHttp = new HttpTransport();
        await using var selector = new RegistrySelector(registry, new RoundRobinStrategy());
        var client = new MicroClient(selector, clientTcp, CodecRegistry.Default, transportFor: (name, _) => name == "http" ? clientHttp : null);
        var answered = new HashSet<string>();
        for (var i = 0; i < 10; i++)
        {
            answered.Add((await client.CallAsync<HelloRequest, HelloResponse>("mixed", "WhoAmI.Node", new HelloRequest("x"))).Msg);
        }

        Assert.Equal(["http-node", "tcp-node"], answered.Order());

        // A call to an explicit address uses the transport of the node registered there (micro call --address, health, stats).
        foreach (var node in nodes)
        {
            var reply = await client.CallAsync<HelloRequest, HelloResponse>("mixed", "WhoAmI.Node", new HelloRequest("x"), new CallOptions { Address = node.Address });
            Assert.Equal(node.Id, reply.Msg);
        }
    }
}
