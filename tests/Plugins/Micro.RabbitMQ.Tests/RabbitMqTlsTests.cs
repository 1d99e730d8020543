using Micro.Broker;
using Micro.Hosting;
using Micro.Transport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;

namespace Micro.RabbitMQ.Tests;

/// <summary>The whole broker contract through the server's TLS listener, which requires client certificates.</summary>
[Collection(RabbitMqCollection.Name)]
public sealed class RabbitMqTlsBrokerTests(RabbitMqFixture rabbit) : BrokerContractTests
{
    protected override async Task<IBroker> ConnectAsync()
    {
        var broker = new RabbitMqBroker(RabbitMqBrokerOptions.Default with { Url = rabbit.Server.TlsUrl, Tls = rabbit.Server.Tls.Client });
        await broker.ConnectAsync();
        return broker;
    }
}

/// <summary>The whole call contract with the RabbitMQ transport over mutual TLS.</summary>
[Collection(RabbitMqCollection.Name)]
public sealed class RabbitMqTlsCallTests(RabbitMqFixture rabbit) : CallContractTests
{
    protected override ITransport CreateTransport()
        => new RabbitMqTransport(rabbit.Server.TlsUrl, TransportOptions.Default with { Tls = rabbit.Server.Tls.Client });

    protected override string DeadAddress => "micro.rpc.nobody-listens-here";
}

[Collection(RabbitMqCollection.Name)]
public sealed class RabbitMqTlsRefusalTests(RabbitMqFixture rabbit)
{
    [Fact]
    public async Task A_client_without_a_certificate_is_refused()
    {
        await using var broker = new RabbitMqBroker(RabbitMqBrokerOptions.Default with { Url = rabbit.Server.TlsUrl, Tls = rabbit.Server.Tls.Anonymous });
        var e = await Assert.ThrowsAsync<InvalidOperationException>(async () => await broker.ConnectAsync());
        Assert.Contains("Cannot connect to RabbitMQ", e.Message);
        Assert.False(broker.IsConnected);
    }

    [Fact]
    public async Task A_client_that_does_not_trust_the_servers_CA_is_refused()
    {
        var otherCa = TestPki.Authority("someone-else");
        await using var broker = new RabbitMqBroker(RabbitMqBrokerOptions.Default with { Url = rabbit.Server.TlsUrl, Tls = TestPki.Mutual(otherCa, "client") });
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await broker.ConnectAsync());
        Assert.False(broker.IsConnected);
    }

    [Fact]
    public async Task Broker_tls_settings_reach_the_broker_the_plugin_creates()
    {
        var folder = Directory.CreateTempSubdirectory("micro-rabbit-tls").FullName;
        try
        {
            var (cert, key) = TestPki.WritePem(rabbit.Server.Tls.Client.Certificate!, folder, "client");
            var settings = MicroSettings.FromConfiguration(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["broker"] = "rabbitmq",
                ["broker_address"] = rabbit.Server.TlsUrl,
                ["broker_tls_cert"] = cert,
                ["broker_tls_key"] = key,
                ["broker_tls_ca"] = rabbit.Server.Tls.AuthorityPath,
            }).Build());
            await using var broker = new MicroPlugins().CreateBroker(settings, NullLoggerFactory.Instance, new Micro.Registry.MemoryRegistry());
            await broker.ConnectAsync();
            Assert.True(broker.IsConnected);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
