using Micro.Registry;

namespace Micro.Etcd.Tests;

/// <summary>One real etcd for the etcd tests, on free loopback ports.</summary>
public sealed class EtcdFixture : IAsyncLifetime
{
    public EtcdServer Server { get; } = new();

    public Task InitializeAsync() => Server.StartAsync();

    public Task DisposeAsync() => Server.DisposeAsync().AsTask();
}

[CollectionDefinition(Name)]
public sealed class EtcdCollection : ICollectionFixture<EtcdFixture>
{
    public const string Name = "etcd";
}

[Collection(EtcdCollection.Name)]
public sealed class EtcdRegistryContractTests(EtcdFixture etcd) : RegistryContractTests
{
    protected override Task<IRegistry> ConnectAsync() => Task.FromResult<IRegistry>(new EtcdRegistry([etcd.Server.Address]));

    [Fact]
    public async Task Keys_and_values_follow_go_micro_layout()
    {
        await using var registry = new EtcdRegistry([etcd.Server.Address]);
        await registry.RegisterAsync(Svc("go.micro/odd", "node-1"), TimeSpan.FromMinutes(1));
        Assert.Equal("/micro/registry/go.micro-odd/node-1", EtcdRegistry.NodeKey("go.micro/odd", "node-1"));
        var service = Assert.Single(await registry.GetServiceAsync("go.micro/odd"));
        Assert.Equal("node-1", Assert.Single(service.Nodes).Id);
        await registry.DeregisterAsync(Svc("go.micro/odd", "node-1"));
    }

    [Fact]
    public async Task Unreachable_first_endpoint_fails_over_to_the_next()
    {
        await using var registry = new EtcdRegistry(["127.0.0.1:1", etcd.Server.Address]);
        var name = Unique();
        await registry.RegisterAsync(Svc(name, "a"), TimeSpan.FromMinutes(1));
        Assert.Single(await registry.GetServiceAsync(name));
        await registry.DeregisterAsync(Svc(name, "a"));
    }
}
