using Micro.Broker;
using Micro.Hosting;
using Micro.Transport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;

namespace Micro.Nats.Tests;

/// <summary>A nats-server that serves TLS only and requires client certificates from its CA (<c>--tlsverify</c>).</summary>
public sealed class NatsTlsFixture : IAsyncLifetime
{
    public NatsServer Server { get; } = new(tls: true);

    public ServerTlsFiles Tls => Server.Tls!;

    public Task InitializeAsync() => Server.StartAsync();

    public Task DisposeAsync() => Server.DisposeAsync().AsTask();
}

[CollectionDefinition(Name)]
public sealed class NatsTlsCollection : ICollectionFixture<NatsTlsFixture>
{
    public const string Name = "nats-server-tls";
}

/// <summary>The whole broker contract over mutual TLS.</summary>
[Collection(NatsTlsCollection.Name)]
public sealed class NatsTlsBrokerTests(NatsTlsFixture nats) : BrokerContractTests
{
    protected override bool Redelivers => false;

    protected override async Task<IBroker> ConnectAsync()
    {
        var broker = new NatsBroker(nats.Server.Url, tls: nats.Tls.Client);
        await broker.ConnectAsync();
        return broker;
    }
}

/// <summary>The whole call contract with the NATS transport over mutual TLS.</summary>
[Collection(NatsTlsCollection.Name)]
public sealed class NatsTlsCallTests(NatsTlsFixture nats) : CallContractTests
{
    protected override ITransport CreateTransport() => new NatsTransport(nats.Server.Url, TransportOptions.Default with { Tls = nats.Tls.Client });

    protected override string DeadAddress => "micro.rpc.nobody-listens-here";
}

[Collection(NatsTlsCollection.Name)]
public sealed class NatsTlsRefusalTests(NatsTlsFixture nats)
{
    [Fact]
    public async Task A_client_without_a_certificate_is_refused_by_a_verifying_server()
    {
        await using var broker = new NatsBroker(nats.Server.Url, tls: nats.Tls.Anonymous);
        await Assert.ThrowsAnyAsync<Exception>(async () => await broker.ConnectAsync());
        Assert.False(broker.IsConnected);
    }

    [Fact]
    public async Task A_client_that_does_not_trust_the_servers_CA_is_refused()
    {
        var otherCa = TestPki.Authority("someone-else");
        await using var broker = new NatsBroker(nats.Server.Url, tls: TestPki.Mutual(otherCa, "client"));
        await Assert.ThrowsAnyAsync<Exception>(async () => await broker.ConnectAsync());
        Assert.False(broker.IsConnected);
    }

    [Fact]
    public async Task A_plain_client_is_refused()
    {
        await using var broker = new NatsBroker(nats.Server.Url);
        await Assert.ThrowsAnyAsync<Exception>(async () => await broker.ConnectAsync());
        Assert.False(broker.IsConnected);
    }

    [Fact]
    public async Task Broker_tls_settings_reach_the_broker_the_plugin_creates()
    {
        var folder = Directory.CreateTempSubdirectory("micro-nats-tls").FullName;
        try
        {
            var (cert, key) = TestPki.WritePem(nats.Tls.Client.Certificate!, folder, "client");
            var settings = MicroSettings.FromConfiguration(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["broker"] = "nats",
                ["broker_address"] = $"127.0.0.1:{nats.Server.Port}",
                ["broker_tls_cert"] = cert,
                ["broker_tls_key"] = key,
                ["broker_tls_ca"] = nats.Tls.AuthorityPath,
            }).Build());
            var plugins = new MicroPlugins();
            await using var broker = plugins.CreateBroker(settings, NullLoggerFactory.Instance, new Micro.Registry.MemoryRegistry());
            await broker.ConnectAsync();
            var got = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            await using var sub = await broker.SubscribeAsync("tls.plugin", (e, _) =>
            {
                got.TrySetResult(System.Text.Encoding.UTF8.GetString(e.Message.Body.Span));
                return ValueTask.CompletedTask;
            });
            await broker.PublishAsync("tls.plugin", new BrokerMessage(null, "over tls"u8.ToArray()));
            Assert.Equal("over tls", await got.Task.WaitAsync(TimeSpan.FromSeconds(30)));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}

public sealed class NatsSecretsTests
{
    [Fact]
    public async Task The_brokers_shown_address_masks_the_password_of_its_url()
    {
        await using var broker = new NatsBroker("nats://app:s3cr3t-pw@127.0.0.1:4222");
        Assert.Equal("nats://app:[redacted]@127.0.0.1:4222", broker.Address);
    }
}
