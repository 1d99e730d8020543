using Micro.Registry;

namespace Micro.Testing;

/// <summary>What every registry must do. Each registry's test class supplies clients of one shared backend.</summary>
public abstract class RegistryContractTests
{
    protected static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    /// <summary>A new registry client (like another process) on the backend under test.</summary>
    protected abstract Task<IRegistry> ConnectAsync();

    /// <summary>Whether service-level metadata is stored (go-micro's Consul format has no place for it).</summary>
    protected virtual bool KeepsServiceMetadata => true;

    protected static string Unique(string name = "svc") => name + "-" + Guid.NewGuid().ToString("N")[..8];

    protected static Service Svc(string name, string node, string version = "1.0", string address = "127.0.0.1:1000")
        => new()
        {
            Name = name,
            Version = version,
            Metadata = new Dictionary<string, string> { ["team"] = "core" },
            Endpoints = [new Endpoint
            {
                Name = "Greeter.Hello",
                Request = new Value { Name = "HelloRequest", Type = "HelloRequest", Values = [new Value { Name = "name", Type = "string" }] },
                Response = new Value { Name = "HelloResponse", Type = "HelloResponse", Values = [new Value { Name = "msg", Type = "string" }] },
                Metadata = new Dictionary<string, string> { ["stream"] = "false" },
            }],
            Nodes = [new Node { Id = node, Address = address, Metadata = new Dictionary<string, string> { ["transport"] = "tcp", ["protocol"] = "mucp" } }],
        };

    protected static async Task Eventually(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for: {what}");
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task Register_get_list_and_deregister_round_trip_every_field()
    {
        var name = Unique();
        await using var writer = await ConnectAsync();
        await using var reader = await ConnectAsync();
        await writer.RegisterAsync(Svc(name, "a"), TimeSpan.FromMinutes(1));
        await writer.RegisterAsync(Svc(name, "b", address: "127.0.0.1:1001"), TimeSpan.FromMinutes(1));

        var service = Assert.Single(await reader.GetServiceAsync(name));
        Assert.Equal("1.0", service.Version);
        if (KeepsServiceMetadata)
        {
            Assert.Equal("core", service.Metadata!["team"]);
        }

        Assert.Equal(["a", "b"], service.Nodes.Select(n => n.Id).Order());
        Assert.Equal("tcp", service.Nodes[0].Metadata!["transport"]);
        var endpoint = Assert.Single(service.Endpoints);
        Assert.Equal(("Greeter.Hello", "name", "msg", "false"), (endpoint.Name, endpoint.Request!.Values![0].Name, endpoint.Response!.Values![0].Name, endpoint.Metadata!["stream"]));
        Assert.Contains(name, (await reader.ListServicesAsync()).Select(s => s.Name));

        await writer.DeregisterAsync(Svc(name, "a"));
        Assert.Equal(["b"], Assert.Single(await reader.GetServiceAsync(name)).Nodes.Select(n => n.Id));
        await writer.DeregisterAsync(Svc(name, "b"));
        Assert.Empty(await reader.GetServiceAsync(name));
        Assert.DoesNotContain(name, (await reader.ListServicesAsync()).Select(s => s.Name));
    }

    [Fact]
    public async Task Versions_are_returned_separately()
    {
        var name = Unique();
        await using var one = await ConnectAsync();
        await using var two = await ConnectAsync();
        await one.RegisterAsync(Svc(name, "a", "1.0"), TimeSpan.FromMinutes(1));
        await two.RegisterAsync(Svc(name, "b", "2.0"), TimeSpan.FromMinutes(1));
        Assert.Equal(["1.0", "2.0"], (await one.GetServiceAsync(name)).Select(s => s.Version).Order());
        await one.DeregisterAsync(Svc(name, "a", "1.0"));
        await two.DeregisterAsync(Svc(name, "b", "2.0"));
    }

    [Fact]
    public virtual async Task A_node_that_stops_re_registering_is_gone_within_its_ttl()
    {
        var name = Unique();
        await using var registry = await ConnectAsync();
        await registry.RegisterAsync(Svc(name, "short"), TimeSpan.FromSeconds(2));
        await registry.RegisterAsync(Svc(name, "long"), TimeSpan.FromMinutes(1));
        Assert.Equal(2, Assert.Single(await registry.GetServiceAsync(name)).Nodes.Count);
        var started = DateTime.UtcNow;
        await Eventually(async () => Assert.Single(await registry.GetServiceAsync(name)).Nodes.Count == 1, "the short-TTL node to expire");
        Assert.Equal("long", Assert.Single(await registry.GetServiceAsync(name)).Nodes[0].Id);
        await registry.DeregisterAsync(Svc(name, "long"));
    }

    [Fact]
    public async Task Re_registering_keeps_a_node_alive_past_its_ttl()
    {
        var name = Unique();
        await using var registry = await ConnectAsync();
        for (var i = 0; i < 6; i++)
        {
            await registry.RegisterAsync(Svc(name, "kept"), TimeSpan.FromSeconds(3));
            await Task.Delay(TimeSpan.FromSeconds(1));
            Assert.Single(await registry.GetServiceAsync(name)); // 6 s in all: twice the TTL
        }

        await registry.DeregisterAsync(Svc(name, "kept"));
    }

    [Fact]
    public async Task Watch_reports_create_update_and_delete()
    {
        var name = Unique();
        await using var watcher = await ConnectAsync();
        await using var writer = await ConnectAsync();
        using var cts = new CancellationTokenSource(Patience);
        var established = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var events = watcher.WatchAsync(name, established.SetResult, cts.Token).GetAsyncEnumerator(cts.Token);
        var next = events.MoveNextAsync().AsTask();
        await established.Task.WaitAsync(Patience); // the registry says the watch is in place: no guessing with a delay

        await writer.RegisterAsync(Svc(name, "a"), TimeSpan.FromMinutes(1));
        Assert.True(await next);
        Assert.Equal((RegistryAction.Create, "a"), (events.Current.Action, events.Current.Service.Nodes[0].Id));

        await writer.RegisterAsync(Svc(name, "a", address: "127.0.0.1:2000"), TimeSpan.FromMinutes(1));
        Assert.True(await events.MoveNextAsync());
        Assert.Equal((RegistryAction.Update, "127.0.0.1:2000"), (events.Current.Action, events.Current.Service.Nodes[0].Address));

        await writer.DeregisterAsync(Svc(name, "a"));
        Assert.True(await events.MoveNextAsync());
        Assert.Equal((RegistryAction.Delete, "a"), (events.Current.Action, events.Current.Service.Nodes[0].Id));
        Assert.Equal(name, events.Current.Service.Name);
    }

    [Fact]
    public async Task Concurrent_registrations_are_all_kept()
    {
        var name = Unique();
        var registries = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => ConnectAsync()));
        try
        {
            await Task.WhenAll(registries.SelectMany((r, w) => Enumerable.Range(0, 10).Select(n => r.RegisterAsync(Svc(name, $"w{w}-n{n}"), TimeSpan.FromMinutes(1)).AsTask())));
            Assert.Equal(30, Assert.Single(await registries[0].GetServiceAsync(name)).Nodes.Count);
            await Task.WhenAll(registries.SelectMany((r, w) => Enumerable.Range(0, 10).Select(n => r.DeregisterAsync(Svc(name, $"w{w}-n{n}")).AsTask())));
        }
        finally
        {
            foreach (var r in registries)
            {
                await r.DisposeAsync();
            }
        }
    }
}
