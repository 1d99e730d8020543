using System.Diagnostics;
using Micro.Registry;

namespace Micro.Etcd.Tests;

/// <summary>etcd serving HTTPS and requiring client certificates: the registry connects with --registry_tls_*.</summary>
public sealed class EtcdTlsTests : IAsyncLifetime
{
    private readonly TlsEtcdServer _etcd = new();

    public Task InitializeAsync() => _etcd.StartAsync();

    public Task DisposeAsync() => _etcd.DisposeAsync().AsTask();

    [Fact]
    public async Task With_a_client_certificate_the_registry_works_over_tls()
    {
        await using var registry = new EtcdRegistry([_etcd.Address], options: new EtcdOptions { Tls = _etcd.Files.Client });
        await registry.RegisterAsync(new Service { Name = "tls", Nodes = [new Node { Id = "t-1", Address = "127.0.0.1:9000" }] }, TimeSpan.FromMinutes(1));
        Assert.Equal("t-1", (await registry.GetServiceAsync("tls")).Single().Nodes.Single().Id);
    }

    [Fact]
    public async Task Without_a_client_certificate_or_without_tls_it_is_refused()
    {
        await using var anonymous = new EtcdRegistry([_etcd.Address], options: new EtcdOptions { Tls = _etcd.Files.Anonymous });
        await Assert.ThrowsAnyAsync<Exception>(async () => await anonymous.GetServiceAsync("tls"));
        await using var plain = new EtcdRegistry([_etcd.Address]);
        await Assert.ThrowsAnyAsync<Exception>(async () => await plain.GetServiceAsync("tls"));
    }

    private sealed class TlsEtcdServer : ExternalServer
    {
        private readonly int _peerPort = FreePort();

        public TlsEtcdServer()
            : base("/usr/bin/etcd", "etcd-server")
        {
            Port = FreePort();
            Files = TestPki.WriteServerFiles(DataFolder);
        }

        public ServerTlsFiles Files { get; }

        public string Address => $"127.0.0.1:{Port}";

        protected override ProcessStartInfo StartInfo()
        {
            var info = new ProcessStartInfo(Binary);
            var client = $"https://127.0.0.1:{Port}";
            var peer = $"http://127.0.0.1:{_peerPort}";
            foreach (var a in new[]
            {
                "--name", "micro-tls", "--data-dir", Path.Combine(DataFolder, "data"),
                "--listen-client-urls", client, "--advertise-client-urls", client,
                "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
                "--initial-cluster", $"micro-tls={peer}", "--log-level", "warn",
                "--cert-file", Files.CertificatePath, "--key-file", Files.KeyPath, "--trusted-ca-file", Files.AuthorityPath, "--client-cert-auth",
            })
            {
                info.ArgumentList.Add(a);
            }

            return info;
        }
    }
}
