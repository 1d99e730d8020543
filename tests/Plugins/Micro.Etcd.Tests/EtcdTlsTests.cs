using Micro.Registry;

namespace Micro.Etcd.Tests;

/// <summary>etcd serving HTTPS and requiring client certificates: the registry connects with --registry_tls_*.</summary>
public sealed class EtcdTlsTests : IAsyncLifetime
{
    private readonly EtcdServer _etcd = new(tls: true);

    public Task InitializeAsync() => _etcd.StartAsync();

    public Task DisposeAsync() => _etcd.DisposeAsync().AsTask();

    [Fact]
    public async Task With_a_client_certificate_the_registry_works_over_tls()
    {
        await using var registry = new EtcdRegistry([_etcd.Address], options: new EtcdOptions { Tls = _etcd.Files!.Client });
        await registry.RegisterAsync(new Service { Name = "tls", Nodes = [new Node { Id = "t-1", Address = "127.0.0.1:9000" }] }, TimeSpan.FromMinutes(1));
        Assert.Equal("t-1", (await registry.GetServiceAsync("tls")).Single().Nodes.Single().Id);
    }

    [Fact]
    public async Task Without_a_client_certificate_or_without_tls_it_is_refused()
    {
        await using var anonymous = new EtcdRegistry([_etcd.Address], options: new EtcdOptions { Tls = _etcd.Files!.Anonymous });
        await Assert.ThrowsAnyAsync<Exception>(async () => await anonymous.GetServiceAsync("tls"));
        await using var plain = new EtcdRegistry([_etcd.Address]);
        await Assert.ThrowsAnyAsync<Exception>(async () => await plain.GetServiceAsync("tls"));
    }
}
