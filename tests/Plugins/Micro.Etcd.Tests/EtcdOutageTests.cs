using Micro.Server;

namespace Micro.Etcd.Tests;

/// <summary>etcd stopped and started again under a running service and client: own server, since it is restarted.</summary>
public sealed class EtcdOutageTests
{
    [Fact]
    public async Task Calls_continue_while_etcd_is_down_and_the_node_registers_again_when_it_returns()
    {
        await using var etcd = new EtcdServer();
        await etcd.StartAsync();
        await using var kit = new TestKit(new EtcdRegistry([etcd.Address]));
        await kit.StartServerAsync("greeter", new Greeter(), ServerOptions.Default with { RegisterTtl = TimeSpan.FromSeconds(5), RegisterInterval = TimeSpan.FromSeconds(1) });
        var client = kit.CreateClient();
        Assert.Equal("Hello before", (await client.CallAsync<HelloRequest, HelloResponse>("greeter", "Greeter.Hello", new HelloRequest("before"))).Msg);

        await etcd.StopAsync();
        // 8 s of calls with etcd gone (longer than the TTL): every one succeeds from the selector's cache.
        var until = DateTime.UtcNow.AddSeconds(8);
        var calls = 0;
        while (DateTime.UtcNow < until)
        {
            Assert.Equal("Hello during", (await client.CallAsync<HelloRequest, HelloResponse>("greeter", "Greeter.Hello", new HelloRequest("during"))).Msg);
            calls++;
            await Task.Delay(50);
        }

        Assert.True(calls > 10, $"only {calls} calls were made during the outage");

        await etcd.StartAsync(); // same port and data
        await using var fresh = new EtcdRegistry([etcd.Address]);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((await TryGet(fresh)).Count == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the node did not register again after etcd returned");
            await Task.Delay(200);
        }

        Assert.Equal("Hello after", (await client.CallAsync<HelloRequest, HelloResponse>("greeter", "Greeter.Hello", new HelloRequest("after"))).Msg);
    }

    private static async Task<IReadOnlyList<Micro.Registry.Service>> TryGet(EtcdRegistry registry)
    {
        try
        {
            return await registry.GetServiceAsync("greeter");
        }
        catch (InvalidOperationException)
        {
            return []; // still starting
        }
    }
}
