using System.Text.Json;

namespace Micro.IntegrationTests;

/// <summary>Real processes sharing a real etcd, and the go-micro storage format in both directions.</summary>
public sealed class EtcdProcessTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    /// <summary>A registration exactly as go-micro v1.18's etcd registry stores it (json.Marshal of registry.Service with one node).</summary>
    private const string GoMicroRegistration = """
        {"name":"go.micro.srv.greeter","version":"latest","metadata":null,"endpoints":[{"name":"Say.Hello","request":{"name":"Request","type":"Request","values":[{"name":"name","type":"string","values":null}]},"response":{"name":"Response","type":"Response","values":[{"name":"msg","type":"string","values":null}]},"metadata":{"stream":"false"}}],"nodes":[{"id":"go.micro.srv.greeter-ed4a7c8a-4a9d-4e35-8a0b-1a1ec2e4ad7a","address":"127.0.0.1:35109","metadata":{"broker":"http","protocol":"mucp","registry":"etcd","server":"mucp","transport":"http"}}]}
        """;

    private static Dictionary<string, string> Env(EtcdServer etcd) => new()
    {
        ["MICRO_REGISTRY"] = "etcd",
        ["MICRO_REGISTRY_ADDRESS"] = etcd.Address,
    };

    [Fact]
    public async Task Two_greeter_processes_find_each_other_through_etcd()
    {
        await using var etcd = new EtcdServer();
        await etcd.StartAsync();
        await using var one = new RunningProcess(Programs.GreeterService, [], Env(etcd));
        await using var two = new RunningProcess(Programs.GreeterService, ["--server_name", "greeter"], Env(etcd));
        await one.WaitForOutputAsync("registered in etcd", Patience);
        await two.WaitForOutputAsync("registered in etcd", Patience);

        var get = await RunningProcess.RunAsync(Programs.Cli, ["get", "service", "greeter"], Env(etcd), Patience);
        Assert.Equal(2, get.Output.Split('\n').Count(l => l.StartsWith("greeter-", StringComparison.Ordinal)));
        var client = await RunningProcess.RunAsync(Programs.GreeterClient, ["--count", "30"], Env(etcd), Patience);
        Assert.True(client.ExitCode == 0, client.Output);
        Assert.Equal(2, client.Output.Split('\n').Where(l => l.Contains("(from ", StringComparison.Ordinal)).Select(l => l[l.IndexOf("(from ", StringComparison.Ordinal)..]).Distinct().Count());

        Assert.Equal(0, await one.TerminateAsync(TimeSpan.FromSeconds(30)));
        var after = await RunningProcess.RunAsync(Programs.Cli, ["get", "service", "greeter"], Env(etcd), Patience);
        Assert.Equal(1, after.Output.Split('\n').Count(l => l.StartsWith("greeter-", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_registration_written_by_go_micro_is_read_by_micro_get_service()
    {
        await using var etcd = new EtcdServer();
        await etcd.StartAsync();
        var put = await etcd.CtlAsync("put", "/micro/registry/go.micro.srv.greeter/go.micro.srv.greeter-ed4a7c8a-4a9d-4e35-8a0b-1a1ec2e4ad7a", GoMicroRegistration.Trim());
        Assert.True(put.ExitCode == 0, put.Output);

        var list = await RunningProcess.RunAsync(Programs.Cli, ["list", "services"], Env(etcd), Patience);
        Assert.Contains("go.micro.srv.greeter", list.Output);
        var get = await RunningProcess.RunAsync(Programs.Cli, ["get", "service", "go.micro.srv.greeter"], Env(etcd), Patience);
        Assert.True(get.ExitCode == 0, get.Output);
        Assert.Contains("go.micro.srv.greeter-ed4a7c8a-4a9d-4e35-8a0b-1a1ec2e4ad7a\t127.0.0.1:35109\tbroker=http,protocol=mucp,registry=etcd,server=mucp,transport=http", get.Output);
        Assert.Contains("Endpoint: Say.Hello", get.Output);
        Assert.Contains("name string", get.Output);
        Assert.Contains("msg string", get.Output);
    }

    [Fact]
    public async Task What_micro_writes_has_go_micro_json_shape()
    {
        await using var etcd = new EtcdServer();
        await etcd.StartAsync();
        var service = """{"name":"shape.check","version":"1.2","metadata":{"a":"b"},"endpoints":[{"name":"Greeter.Hello","request":{"name":"HelloRequest","type":"HelloRequest","values":[{"name":"name","type":"string"}]},"response":{"name":"HelloResponse","type":"HelloResponse","values":[{"name":"msg","type":"string"}]},"metadata":{"stream":"false"}}],"nodes":[{"id":"shape-1","address":"127.0.0.1:9","metadata":{"transport":"tcp"}}]}""";
        var register = await RunningProcess.RunAsync(Programs.Cli, ["register", "service", service], Env(etcd), Patience);
        Assert.True(register.ExitCode == 0, register.Output);

        var get = await etcd.CtlAsync("get", "/micro/registry/shape.check/shape-1", "--print-value-only");
        using var doc = JsonDocument.Parse(get.Output.Trim());
        var root = doc.RootElement;
        Assert.Equal(("shape.check", "1.2", "b"), (root.GetProperty("name").GetString(), root.GetProperty("version").GetString(), root.GetProperty("metadata").GetProperty("a").GetString()));
        var endpoint = root.GetProperty("endpoints")[0];
        Assert.Equal("Greeter.Hello", endpoint.GetProperty("name").GetString());
        Assert.Equal("name", endpoint.GetProperty("request").GetProperty("values")[0].GetProperty("name").GetString());
        Assert.Equal("msg", endpoint.GetProperty("response").GetProperty("values")[0].GetProperty("name").GetString());
        Assert.Equal("false", endpoint.GetProperty("metadata").GetProperty("stream").GetString());
        var nodes = root.GetProperty("nodes");
        Assert.Equal(1, nodes.GetArrayLength()); // one node per key, as go-micro stores it
        Assert.Equal(("shape-1", "127.0.0.1:9", "tcp"), (nodes[0].GetProperty("id").GetString(), nodes[0].GetProperty("address").GetString(), nodes[0].GetProperty("metadata").GetProperty("transport").GetString()));

        var deregister = await RunningProcess.RunAsync(Programs.Cli, ["deregister", "service", service], Env(etcd), Patience);
        Assert.True(deregister.ExitCode == 0, deregister.Output);
        Assert.Equal("", (await etcd.CtlAsync("get", "/micro/registry/shape.check/shape-1")).Output.Trim());
    }

    [Fact]
    public async Task Register_rejects_json_without_nodes_with_a_clear_error()
    {
        var result = await RunningProcess.RunAsync(Programs.Cli, ["register", "service", """{"name":"x"}""", "--registry", "memory"], new Dictionary<string, string>(), Patience);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("needs \"nodes\"", result.Output);
    }
}
