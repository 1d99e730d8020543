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
        var client = new MicroClient(selector, clientTcp, CodecRegistry.Default, transportFor: name => name == "http" ? clientHttp : null);
        var answered = new HashSet<string>();
        for (var i = 0; i < 10; i++)
        {
            answered.Add((await client.CallAsync<HelloRequest, HelloResponse>("mixed", "WhoAmI.Node", new HelloRequest("x"))).Msg);
        }

        Assert.Equal(["http-node", "tcp-node"], answered.Order());
    }
}
