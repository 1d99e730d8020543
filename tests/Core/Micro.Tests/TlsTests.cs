using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Micro.Client;
using Micro.Transport;
using Micro.Transport.Tcp;

namespace Micro.Tests;

/// <summary>Every call behaviour over tcp with mutual TLS (certificates from a private CA).</summary>
public sealed class TlsCallTests : CallContractTests
{
    private static readonly X509Certificate2 Ca = TestPki.Authority("micro test CA");

    protected override ITransport CreateTransport() => new TcpTransport(TransportOptions.Default with { Tls = TestPki.Mutual(Ca, "node") });
}

/// <summary>Every call behaviour over the http transport with mutual TLS (HTTPS both ways).</summary>
public sealed class HttpTlsCallTests : CallContractTests
{
    private static readonly X509Certificate2 Ca = TestPki.Authority("micro test CA");

    protected override ITransport CreateTransport() => new Micro.Transport.Http.HttpTransport(TransportOptions.Default with { Tls = TestPki.Mutual(Ca, "node") });
}

/// <summary>Streams over tcp with mutual TLS.</summary>
public sealed class TlsStreamTests : StreamContractTests
{
    private static readonly X509Certificate2 Ca = TestPki.Authority("micro test CA");

    protected override ITransport CreateTransport() => new TcpTransport(TransportOptions.Default with { Tls = TestPki.Mutual(Ca, "node") });

    protected override int Window => TcpStream.Window;
}

/// <summary>Streams over the http transport's WebSockets with mutual TLS (wss).</summary>
public sealed class HttpTlsStreamTests : StreamContractTests
{
    private static readonly X509Certificate2 Ca = TestPki.Authority("micro test CA");

    protected override ITransport CreateTransport() => new Micro.Transport.Http.HttpTransport(TransportOptions.Default with { Tls = TestPki.Mutual(Ca, "node") });

    protected override int Window => MessageStream.Window;
}

public sealed class TlsTests
{
    private static async Task<(TestKit Kit, string Address)> ServeAsync(TransportTls tls, Microsoft.Extensions.Logging.ILoggerFactory? logs = null)
    {
        var kit = new TestKit(transport: new TcpTransport(TransportOptions.Default with { Tls = tls, LoggerFactory = logs ?? Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance }));
        var server = await kit.StartServerAsync("greeter", new Greeter());
        return (kit, server.Address);
    }

    private static async Task<MicroException> CallFailsAsync(TestKit kit, TransportOptions clientOptions)
    {
        await using var transport = new TcpTransport(clientOptions with { HandshakeTimeout = TimeSpan.FromSeconds(3) });
        await using var selector = new Micro.Selector.RegistrySelector(kit.Registry);
        var client = new MicroClient(selector, transport, options: new ClientOptions { Retries = 0, RequestTimeout = TimeSpan.FromSeconds(10) });
        return await Assert.ThrowsAsync<MicroException>(() => client.CallAsync<HelloRequest, HelloResponse>("greeter", "Greeter.Hello", new HelloRequest("x")).AsTask());
    }

    [Theory]
    [InlineData("192.0.2.10", "1.3.6.1.5.5.7.3.1")] // signed by the trusted CA, but for another host
    [InlineData("127.0.0.1", "1.3.6.1.5.5.7.3.2")]  // for this host, but issued to a client, not a server
    public async Task A_private_cas_server_certificate_must_name_the_host_and_be_for_serving(string san, string purpose)
    {
        var ca = TestPki.Authority("ca");
        X509Certificate2Collection trust = [X509CertificateLoader.LoadCertificate(ca.RawData)];
        var (kit, _) = await ServeAsync(new TransportTls { Certificate = TestPki.Leaf(ca, "server", System.Net.IPAddress.Parse(san), [purpose]), Authorities = trust });
        await using var _ = kit;
        var error = await CallFailsAsync(kit, TransportOptions.Default with { Tls = new TransportTls { Certificate = TestPki.Leaf(ca, "client"), Authorities = trust } });
        Assert.True(error.IsTransportError, error.Message);
    }

    [Fact]
    public async Task A_server_certificate_of_the_ca_cannot_sign_in_as_a_client()
    {
        var ca = TestPki.Authority("ca");
        X509Certificate2Collection trust = [X509CertificateLoader.LoadCertificate(ca.RawData)];
        var (kit, _) = await ServeAsync(TestPki.Mutual(ca, "server"));
        await using var _ = kit;
        var serverOnly = TestPki.Leaf(ca, "not-a-client", System.Net.IPAddress.Loopback, ["1.3.6.1.5.5.7.3.1"]);
        var error = await CallFailsAsync(kit, TransportOptions.Default with { Tls = new TransportTls { Certificate = serverOnly, Authorities = trust } });
        Assert.True(error.IsTransportError, error.Message);
    }

    [Fact]
    public async Task A_client_without_a_certificate_is_refused_by_a_mutual_tls_server()
    {
        var ca = TestPki.Authority("ca");
        var logs = new Microsoft.Extensions.Logging.Testing.FakeLoggerProvider();
        using var factory = new Microsoft.Extensions.Logging.LoggerFactory([logs]);
        var (kit, _) = await ServeAsync(TestPki.Mutual(ca, "server"), factory);
        await using var _ = kit;
        var error = await CallFailsAsync(kit, TransportOptions.Default with { Tls = new TransportTls { Authorities = [X509CertificateLoader.LoadCertificate(ca.RawData)] } });
        Assert.True(error.IsTransportError, error.Message);
        Assert.Contains("the node requires a client certificate (mutual TLS): give --transport_tls_cert and --transport_tls_key", error.Detail, StringComparison.Ordinal);
        Assert.Contains(logs.Collector.GetSnapshot(), r => r.Message.Contains("the client sent no certificate, and this node requires one (mutual TLS)", StringComparison.Ordinal));
        Assert.DoesNotContain(logs.Collector.GetSnapshot(), r => r.Message.Contains("rejected", StringComparison.Ordinal)); // none was sent to reject
    }

    [Fact]
    public async Task A_server_whose_certificate_another_ca_signed_is_not_trusted()
    {
        var (kit, address) = await ServeAsync(TestPki.Mutual(TestPki.Authority("theirs"), "server"));
        await using var _ = kit;
        var error = await CallFailsAsync(kit, TransportOptions.Default with { Tls = TestPki.Mutual(TestPki.Authority("ours"), "client") });
        Assert.Contains($"tls {address}", error.Detail);
        Assert.True(error.IsTransportError);
    }

    [Fact]
    public async Task An_http_client_without_a_certificate_is_refused_by_a_mutual_tls_server()
    {
        var ca = TestPki.Authority("ca");
        var kit = new TestKit(transport: new Micro.Transport.Http.HttpTransport(TransportOptions.Default with { Tls = TestPki.Mutual(ca, "server") }));
        await using var _ = kit;
        await kit.StartServerAsync("greeter", new Greeter());
        await using var transport = new Micro.Transport.Http.HttpTransport(TransportOptions.Default with { Tls = new TransportTls { Authorities = [X509CertificateLoader.LoadCertificate(ca.RawData)] } });
        await using var selector = new Micro.Selector.RegistrySelector(kit.Registry);
        var client = new MicroClient(selector, transport, options: new ClientOptions { Retries = 0 });
        var error = await Assert.ThrowsAsync<MicroException>(() => client.CallAsync<HelloRequest, HelloResponse>("greeter", "Greeter.Hello", new HelloRequest("x")).AsTask());
        Assert.True(error.IsTransportError, error.Message);
    }

    [Fact]
    public async Task A_plain_client_cannot_talk_to_a_tls_server()
    {
        var logs = new Microsoft.Extensions.Logging.Testing.FakeLoggerProvider();
        using var factory = new Microsoft.Extensions.Logging.LoggerFactory([logs]);
        var (kit, address) = await ServeAsync(TestPki.Mutual(TestPki.Authority("ca"), "server"), factory);
        await using var _ = kit;
        var error = await CallFailsAsync(kit, TransportOptions.Default);
        Assert.Equal(500, error.Code);
        Assert.Contains($"the peer at {address} speaks TLS (a node that requires TLS", error.Detail, StringComparison.Ordinal); // not "closed by peer"
        Assert.Contains(logs.Collector.GetSnapshot(), r => r.Message.Contains("did not start TLS (plain tcp to a node that requires TLS)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Development_mode_shares_one_self_signed_certificate_between_both_sides()
    {
        var logger = new Microsoft.Extensions.Logging.Abstractions.NullLogger<TlsTests>();
        var (kit, _) = await ServeAsync(TransportTls.Development(logger));
        await using var _ = kit;
        await using var transport = new TcpTransport(TransportOptions.Default with { Tls = TransportTls.Development(logger) });
        await using var selector = new Micro.Selector.RegistrySelector(kit.Registry);
        var client = new MicroClient(selector, transport);
        Assert.Equal("Hello dev", (await client.CallAsync<HelloRequest, HelloResponse>("greeter", "Greeter.Hello", new HelloRequest("dev"))).Msg);
    }

    [Fact]
    public void Certificates_load_from_pem_files_and_missing_files_are_named()
    {
        var folder = Directory.CreateTempSubdirectory("micro-tls").FullName;
        try
        {
            var ca = TestPki.Authority("ca");
            var leaf = TestPki.Leaf(ca, "node");
            File.WriteAllText(Path.Combine(folder, "ca.pem"), ca.ExportCertificatePem());
            TestPki.WritePem(leaf, folder, "node");
            var tls = TransportTls.FromFiles(Path.Combine(folder, "node.pem"), Path.Combine(folder, "node.key"), Path.Combine(folder, "ca.pem"));
            Assert.True(tls.Certificate!.HasPrivateKey);
            Assert.Equal(ca.Thumbprint, Assert.Single(tls.Authorities!).Thumbprint);

            var missing = Assert.Throws<ArgumentException>(() => TransportTls.FromFiles(Path.Combine(folder, "nope.pem"), Path.Combine(folder, "node.key"), null));
            Assert.Contains("--transport_tls_cert", missing.Message);
            Assert.Contains("--transport_tls_key", Assert.Throws<ArgumentException>(() => TransportTls.FromFiles(Path.Combine(folder, "node.pem"), null, null)).Message);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
