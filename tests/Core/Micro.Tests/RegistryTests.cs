using Micro.Registry;
using Microsoft.Extensions.Time.Testing;

namespace Micro.Tests;

public sealed class LocalRegistryTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "micro-tests", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private static Service Svc(string name, string node, string version = "latest", string address = "127.0.0.1:1")
        => new() { Name = name, Version = version, Nodes = [new Node { Id = node, Address = address }] };

    [Fact]
    public async Task Register_get_list_and_deregister()
    {
        await using var registry = new LocalRegistry(_folder);
        await registry.RegisterAsync(Svc("greeter", "a") with { Endpoints = [new Endpoint { Name = "Greeter.Hello" }] }, TimeSpan.FromMinutes(1));
        await registry.RegisterAsync(Svc("greeter", "b", address: "127.0.0.1:2"), TimeSpan.FromMinutes(1));
        await registry.RegisterAsync(Svc("other/with:odd chars", "c"), TimeSpan.FromMinutes(1));

        var greeter = Assert.Single(await registry.GetServiceAsync("greeter"));
        Assert.Equal(["a", "b"], greeter.Nodes.Select(n => n.Id));
        Assert.Equal(["greeter", "other/with:odd chars"], (await registry.ListServicesAsync()).Select(s => s.Name).Order());

        await registry.DeregisterAsync(Svc("greeter", "a"));
        Assert.Equal(["b"], Assert.Single(await registry.GetServiceAsync("greeter")).Nodes.Select(n => n.Id));
    }

    [Fact]
    public async Task A_node_not_registered_again_within_its_ttl_is_never_returned()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var registry = new LocalRegistry(_folder, time);
        await registry.RegisterAsync(Svc("greeter", "a"), TimeSpan.FromSeconds(10));
        await registry.RegisterAsync(Svc("greeter", "b"), TimeSpan.FromSeconds(10));

        time.Advance(TimeSpan.FromSeconds(6));
        await registry.RegisterAsync(Svc("greeter", "b"), TimeSpan.FromSeconds(10)); // b re-registers, a does not
        time.Advance(TimeSpan.FromSeconds(6));

        Assert.Equal(["b"], Assert.Single(await registry.GetServiceAsync("greeter")).Nodes.Select(n => n.Id));
        time.Advance(TimeSpan.FromSeconds(5));
        Assert.Empty(await registry.GetServiceAsync("greeter"));
        Assert.Empty(await registry.ListServicesAsync());
    }

    [Fact]
    public async Task Watch_reports_create_update_delete_and_expiry()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var registry = new LocalRegistry(_folder, time, pollInterval: TimeSpan.FromSeconds(1));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var established = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var events = registry.WatchAsync("greeter", established.SetResult, cts.Token).GetAsyncEnumerator(cts.Token);
        var next = events.MoveNextAsync().AsTask(); // starts the watch (takes its first snapshot)
        await established.Task.WaitAsync(cts.Token);

        await registry.RegisterAsync(Svc("greeter", "a"), TimeSpan.FromSeconds(10));
        Assert.True(await next);
        Assert.Equal((RegistryAction.Create, "a"), (events.Current.Action, events.Current.Service.Nodes[0].Id));

        await registry.RegisterAsync(Svc("greeter", "a", address: "127.0.0.1:9"), TimeSpan.FromSeconds(10));
        Assert.True(await events.MoveNextAsync());
        Assert.Equal((RegistryAction.Update, "127.0.0.1:9"), (events.Current.Action, events.Current.Service.Nodes[0].Address));
        Assert.Equal("update", events.Current.ActionName);

        await registry.RegisterAsync(Svc("greeter", "b"), TimeSpan.FromSeconds(10));
        Assert.True(await events.MoveNextAsync());
        Assert.Equal((RegistryAction.Create, "b"), (events.Current.Action, events.Current.Service.Nodes[0].Id));

        await registry.DeregisterAsync(Svc("greeter", "b"));
        Assert.True(await events.MoveNextAsync());
        Assert.Equal((RegistryAction.Delete, "b"), (events.Current.Action, events.Current.Service.Nodes[0].Id));

        // Expiry: nobody touches the files; the poll notices the TTL has passed.
        // Fake time moves on a second at a time (file-system notifications may wake the watch at any point in between).
        next = events.MoveNextAsync().AsTask();
        for (var i = 0; i < 200 && !next.IsCompleted; i++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            await Task.WhenAny(next, Task.Delay(50));
        }

        Assert.True(await next.WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.Equal((RegistryAction.Delete, "a"), (events.Current.Action, events.Current.Service.Nodes[0].Id));
    }

    [Fact]
    public async Task Two_registry_instances_on_one_folder_see_each_others_changes()
    {
        // Two instances share nothing but the folder, exactly like two processes (the integration tests use real processes).
        await using var writer = new LocalRegistry(_folder);
        await using var reader = new LocalRegistry(_folder, pollInterval: TimeSpan.FromMilliseconds(200));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var established = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var events = reader.WatchAsync(null, established.SetResult, cts.Token).GetAsyncEnumerator(cts.Token);
        var next = events.MoveNextAsync().AsTask();
        await established.Task.WaitAsync(cts.Token);
        await writer.RegisterAsync(Svc("greeter", "a"), TimeSpan.FromMinutes(1));
        Assert.True(await next);
        Assert.Equal(RegistryAction.Create, events.Current.Action);
        Assert.Single(await reader.GetServiceAsync("greeter"));
    }

    [Fact]
    public async Task Concurrent_registrations_from_many_writers_never_corrupt_the_folder()
    {
        var registries = Enumerable.Range(0, 4).Select(_ => new LocalRegistry(_folder)).ToArray();
        try
        {
            // 4 writers x 25 nodes, each node re-registered 5 times, all at once; readers run meanwhile.
            var writes = registries.SelectMany((r, w) => Enumerable.Range(0, 25).Select(n => Task.Run(async () =>
            {
                for (var i = 0; i < 5; i++)
                {
                    await r.RegisterAsync(Svc("busy", $"w{w}-n{n}", address: $"127.0.0.1:{i + 1}"), TimeSpan.FromMinutes(1));
                }
            }))).ToList();
            var reads = Task.Run(async () =>
            {
                while (writes.Any(t => !t.IsCompleted))
                {
                    foreach (var s in await registries[0].GetServiceAsync("busy"))
                    {
                        Assert.All(s.Nodes, n => Assert.StartsWith("127.0.0.1:", n.Address));
                    }
                }
            });
            await Task.WhenAll(writes);
            await reads;

            var service = Assert.Single(await registries[1].GetServiceAsync("busy"));
            Assert.Equal(100, service.Nodes.Count);
            Assert.All(service.Nodes, n => Assert.Equal("127.0.0.1:5", n.Address));
            Assert.Empty(Directory.EnumerateFiles(_folder, "*.tmp", SearchOption.AllDirectories));
        }
        finally
        {
            foreach (var r in registries)
            {
                await r.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task A_corrupt_file_is_ignored_not_fatal()
    {
        await using var registry = new LocalRegistry(_folder);
        await registry.RegisterAsync(Svc("greeter", "a"), TimeSpan.FromMinutes(1));
        await File.WriteAllTextAsync(Path.Combine(_folder, "greeter", "junk.json"), "{ not json");
        Assert.Equal(["a"], Assert.Single(await registry.GetServiceAsync("greeter")).Nodes.Select(n => n.Id));
    }

    [Fact]
    public async Task Registering_without_nodes_is_refused_with_a_clear_error()
    {
        await using var registry = new LocalRegistry(_folder);
        var e = await Assert.ThrowsAsync<ArgumentException>(async () => await registry.RegisterAsync(new Service { Name = "x" }, TimeSpan.FromMinutes(1)));
        Assert.Contains("no nodes", e.Message);
    }
}

public sealed class MemoryRegistryTests
{
    [Fact]
    public async Task Ttl_expiry_and_versions()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var registry = new MemoryRegistry(time);
        await registry.RegisterAsync(new Service { Name = "s", Version = "1", Nodes = [new Node { Id = "a", Address = "x:1" }] }, TimeSpan.FromSeconds(5));
        await registry.RegisterAsync(new Service { Name = "s", Version = "2", Nodes = [new Node { Id = "b", Address = "x:2" }] }, TimeSpan.FromSeconds(50));
        Assert.Equal(["1", "2"], (await registry.GetServiceAsync("s")).Select(s => s.Version));
        time.Advance(TimeSpan.FromSeconds(6));
        Assert.Equal(["2"], (await registry.GetServiceAsync("s")).Select(s => s.Version));
    }
}
