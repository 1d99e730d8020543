using System.IO.Compression;
using System.Text;
using Micro.Commands;
using Micro.Hosting;
using Micro.Registry;

namespace Micro.Consul.Tests;

/// <summary>The stand-in for Consul's HTTP API (see <see cref="ConsulStandIn"/>): no Consul server can run here.</summary>
public sealed class ConsulFixture : IAsyncLifetime
{
    public ConsulStandIn Consul { get; } = new();

    public Task InitializeAsync() => Consul.StartAsync();

    public Task DisposeAsync() => Consul.DisposeAsync().AsTask();
}

[CollectionDefinition(Name)]
public sealed class ConsulCollection : ICollectionFixture<ConsulFixture>
{
    public const string Name = "consul-stand-in";
}

[Collection(ConsulCollection.Name)]
public sealed class ConsulRegistryContractTests(ConsulFixture fixture) : RegistryContractTests
{
    protected override Task<IRegistry> ConnectAsync() => Task.FromResult<IRegistry>(new ConsulRegistry(fixture.Consul.Address));

    /// <summary>go-micro's Consul encoding keeps node metadata, endpoints and version in tags, but not service metadata.</summary>
    protected override bool KeepsServiceMetadata => false;

    [Fact]
    public async Task Registration_follows_go_micro_tags_and_ttl_check()
    {
        await using var registry = new ConsulRegistry(fixture.Consul.Address);
        var name = Unique();
        await registry.RegisterAsync(Svc(name, "tagged"), TimeSpan.FromSeconds(30));
        var body = fixture.Consul.RegisterBodies.Last(b => b.Contains(name, StringComparison.Ordinal));
        using var doc = System.Text.Json.JsonDocument.Parse(body);
        var root = doc.RootElement;
        Assert.Equal(("tagged", name, "127.0.0.1", 1000), (root.GetProperty("ID").GetString(), root.GetProperty("Name").GetString(), root.GetProperty("Address").GetString(), root.GetProperty("Port").GetInt32()));
        Assert.Equal(("30s", "65s"), (root.GetProperty("Check").GetProperty("TTL").GetString(), root.GetProperty("Check").GetProperty("DeregisterCriticalServiceAfter").GetString()));
        var tags = root.GetProperty("Tags").EnumerateArray().Select(t => t.GetString()!).ToArray();
        Assert.Contains(tags, t => t.StartsWith("v-", StringComparison.Ordinal) && Unzip(t[2..]) == "1.0");
        Assert.Contains(tags, t => t.StartsWith("t-", StringComparison.Ordinal) && Unzip(t[2..]) == "{\"transport\":\"tcp\"}");
        Assert.Contains(tags, t => t.StartsWith("e-", StringComparison.Ordinal) && Unzip(t[2..]).Contains("\"name\":\"Greeter.Hello\"", StringComparison.Ordinal));
        await registry.DeregisterAsync(Svc(name, "tagged"));
    }

    [Fact]
    public async Task A_registration_written_as_go_micro_writes_it_is_read_by_micro_get_service()
    {
        // What go-micro v1.18's consul registry sends for go.micro.srv.greeter (tags: zlib+hex of the JSON pieces).
        var endpoint = """{"name":"Say.Hello","request":{"name":"Request","type":"Request","values":[{"name":"name","type":"string","values":null}]},"response":{"name":"Response","type":"Response","values":[{"name":"msg","type":"string","values":null}]},"metadata":{"stream":"false"}}""";
        var tags = new[] { "t-" + Zip("{\"broker\":\"http\"}"), "t-" + Zip("{\"transport\":\"http\"}"), "t-" + Zip("{\"protocol\":\"mucp\"}"), "e-" + Zip(endpoint), "v-" + Zip("latest") };
        var registration = """{"ID":"go.micro.srv.greeter-5e1f","Name":"go.micro.srv.greeter","Tags":[""" + string.Join(",", tags.Select(t => "\"" + t + "\"")) +
            """],"Address":"127.0.0.1","Port":35109,"Check":{"TTL":"60s","DeregisterCriticalServiceAfter":"65s"}}""";
        using var http = new HttpClient { BaseAddress = new Uri("http://" + fixture.Consul.Address) };
        (await http.PutAsync("/v1/agent/service/register", new StringContent(registration, Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();
        (await http.PutAsync("/v1/agent/check/pass/service:go.micro.srv.greeter-5e1f", null)).EnsureSuccessStatusCode();

        var output = new StringWriter();
        var error = new StringWriter();
        var code = await MicroCommandLine.RunAsync(["get", "service", "go.micro.srv.greeter", "--registry", "consul", "--registry_address", fixture.Consul.Address], output, error);
        Assert.True(code == 0, error.ToString());
        var text = output.ToString();
        Assert.Contains("version latest", text);
        Assert.Contains("go.micro.srv.greeter-5e1f\t127.0.0.1:35109\tbroker=http,protocol=mucp,transport=http", text);
        Assert.Contains("Endpoint: Say.Hello", text);
        Assert.Contains("msg string", text);
        (await http.PutAsync("/v1/agent/service/deregister/go.micro.srv.greeter-5e1f", null)).EnsureSuccessStatusCode();
    }

    [Fact]
    public void The_plugin_is_selected_by_configuration_alone()
        => Assert.IsType<ConsulRegistry>(new MicroPlugins().CreateRegistry(MicroSettings.Default with { Registry = "consul", RegistryAddress = fixture.Consul.Address }, Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance));

    private static string Zip(string text)
    {
        using var output = new MemoryStream();
        using (var zlib = new ZLibStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            zlib.Write(Encoding.UTF8.GetBytes(text));
        }

        return Convert.ToHexStringLower(output.ToArray());
    }

    private static string Unzip(string hex)
    {
        using var zlib = new ZLibStream(new MemoryStream(Convert.FromHexString(hex)), CompressionMode.Decompress);
        using var reader = new StreamReader(zlib);
        return reader.ReadToEnd();
    }
}

/// <summary>Consul with ACLs: the registry sends --registry_token on every request, and without it says what Consul answered.</summary>
public sealed class ConsulAclTests : IAsyncLifetime
{
    private const string Token = "acl-token-5b0c2f7e";
    private readonly ConsulStandIn _consul = new() { RequiredToken = Token };

    public Task InitializeAsync() => _consul.StartAsync();

    public Task DisposeAsync() => _consul.DisposeAsync().AsTask();

    [Fact]
    public async Task The_acl_token_goes_with_every_request_from_the_settings()
    {
        await using var registry = new MicroPlugins().CreateRegistry(MicroSettings.Default with { Registry = "consul", RegistryAddress = _consul.Address, RegistryToken = Token },
            Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance);
        await registry.RegisterAsync(new Service { Name = "acl", Nodes = [new Node { Id = "acl-1", Address = "127.0.0.1:9000" }] }, TimeSpan.FromMinutes(1));
        Assert.Single(await registry.GetServiceAsync("acl"));
    }

    [Fact]
    public async Task Without_the_token_the_refusal_is_said_and_the_token_never_is()
    {
        await using var registry = new ConsulRegistry(_consul.Address);
        var e = await Assert.ThrowsAsync<InvalidOperationException>(async () => await registry.RegisterAsync(new Service { Name = "acl", Nodes = [new Node { Id = "acl-1", Address = "127.0.0.1:9000" }] }, TimeSpan.FromMinutes(1)));
        Assert.Contains("403", e.Message, StringComparison.Ordinal);
        Assert.Contains("ACL not found", e.Message, StringComparison.Ordinal);
        await using var wrong = new ConsulRegistry(_consul.Address, token: "wrong-token-123");
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(async () => await wrong.GetServiceAsync("acl"));
        Assert.DoesNotContain("wrong-token-123", refused.Message, StringComparison.Ordinal);
    }
}
