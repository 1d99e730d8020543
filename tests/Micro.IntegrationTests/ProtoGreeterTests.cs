using System.Text;

namespace Micro.IntegrationTests;

/// <summary>
/// examples/ProtoGreeter as a process (http transport, etcd registry) answering what a go-micro v1 client writes on
/// its defaults: application/protobuf and application/proto-rpc, byte for byte as Go's net/http and go-micro's codecs
/// put them on the wire; and the JSON content types, which our CLI and go-micro's json codecs send.
/// </summary>
public sealed class ProtoGreeterTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly EtcdServer _etcd = new();
    private RunningProcess _greeter = null!;
    private string _address = "";

    private Dictionary<string, string> Env => new() { ["MICRO_REGISTRY"] = "etcd", ["MICRO_REGISTRY_ADDRESS"] = _etcd.Address, ["NO_COLOR"] = "1" };

    public async Task InitializeAsync()
    {
        await _etcd.StartAsync();
        _greeter = new RunningProcess(Programs.ProtoGreeter, ["--transport", "http", "--registry", "etcd", "--registry_address", _etcd.Address], new Dictionary<string, string>());
        await _greeter.WaitForOutputAsync("registered in etcd", Patience);
        var get = await RunningProcess.RunAsync(Programs.Cli, ["get", "service", "proto.greeter"], Env, Patience);
        Assert.True(get.ExitCode == 0, get.Output);
        var node = get.Output.Split('\n').Single(l => l.StartsWith("proto.greeter-", StringComparison.Ordinal)).Split('\t');
        Assert.Contains("transport=http", node[2], StringComparison.Ordinal);
        _address = node[1];
    }

    public async Task DisposeAsync()
    {
        await _greeter.DisposeAsync();
        await _etcd.DisposeAsync();
    }

    /// <summary>The head of a go-micro v1 http transport request as Go's net/http writes it (headers sorted, then Accept-Encoding).</summary>
    private string GoRequest(string contentType) =>
        $"POST / HTTP/1.1\r\nHost: {_address}\r\nUser-Agent: Go-http-client/1.1\r\nContent-Length: {{length}}\r\nContent-Type: {contentType}\r\n" +
        "Micro-Endpoint: Greeter.Hello\r\nMicro-Id: 7\r\nMicro-Method: Greeter.Hello\r\nMicro-Service: proto.greeter\r\nTimeout: 5000000000\r\nAccept-Encoding: gzip\r\n\r\n";

    // HelloRequest{name: "John"} and HelloResponse{msg: "Hello John"} in protobuf's wire format (field 1, length-delimited).
    private static readonly byte[] HelloJohn = [0x0A, 0x04, .. "John"u8];
    private static readonly byte[] HelloJohnReply = [0x0A, 0x0A, .. "Hello John"u8];

    [Fact]
    public async Task A_go_micro_client_on_its_default_protobuf_gets_the_reply_in_protobuf()
    {
        var (head, body) = await RawHttp.SendAsync(_address, GoRequest("application/protobuf"), HelloJohn);
        var lines = head.Split("\r\n");
        Assert.Equal("HTTP/1.1 200 OK", lines[0]);
        Assert.Contains("Content-Type: application/protobuf", lines);
        Assert.Contains("Micro-Id: 7", lines);
        Assert.DoesNotContain(lines, l => l.StartsWith("Micro-Error", StringComparison.Ordinal));
        Assert.Equal(HelloJohnReply, body);
    }

    [Fact]
    public async Task A_go_micro_proto_rpc_request_gets_a_proto_rpc_reply()
    {
        // go-micro's protorpc header: service_method (1, string) = "Greeter.Hello", seq (2, fixed64) = 7; then the message.
        byte[] header = [0x0A, 13, .. "Greeter.Hello"u8, 0x11, 7, 0, 0, 0, 0, 0, 0, 0];
        var (head, body) = await RawHttp.SendAsync(_address, GoRequest("application/proto-rpc"), [.. RawHttp.NetString(header), .. RawHttp.NetString(HelloJohn)]);
        var lines = head.Split("\r\n");
        Assert.Equal("HTTP/1.1 200 OK", lines[0]);
        Assert.Contains("Content-Type: application/proto-rpc", lines);
        Assert.Equal([.. RawHttp.NetString(header), .. RawHttp.NetString(HelloJohnReply)], body); // the same header back, no error
    }

    [Fact]
    public async Task The_json_content_types_work_too_and_an_unknown_endpoint_is_a_go_micro_404()
    {
        var (_, json) = await RawHttp.SendAsync(_address, GoRequest("application/json"), "{\"name\":\"John\"}\n"u8.ToArray());
        Assert.Equal("Hello John", System.Text.Json.JsonDocument.Parse(json).RootElement.GetProperty("msg").GetString());

        var (_, jsonRpc) = await RawHttp.SendAsync(_address, GoRequest("application/json-rpc"), "{\"method\":\"Greeter.Hello\",\"params\":[{\"name\":\"John\"}],\"id\":0}\n"u8.ToArray());
        Assert.Equal("{\"id\":0,\"result\":{\"msg\":\"Hello John\"},\"error\":null}\n", Encoding.UTF8.GetString(jsonRpc));

        var call = await RunningProcess.RunAsync(Programs.Cli, ["call", "proto.greeter", "Greeter.Hello", "{\"name\":\"John\"}"], Env, Patience);
        Assert.True(call.ExitCode == 0, call.Output);
        Assert.Contains("\"msg\": \"Hello John\"", call.Output, StringComparison.Ordinal);

        var (head, _) = await RawHttp.SendAsync(_address, GoRequest("application/protobuf").Replace("Micro-Endpoint: Greeter.Hello", "Micro-Endpoint: Greeter.Nope", StringComparison.Ordinal), HelloJohn);
        Assert.Contains(head.Split("\r\n"), l => l.StartsWith("Micro-Error: {\"id\":\"proto.greeter\",\"code\":404,", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_broken_protobuf_body_is_a_400_that_says_so()
    {
        var (head, _) = await RawHttp.SendAsync(_address, GoRequest("application/protobuf"), [0x0A, 0x40, .. "Jo"u8]); // a length past the end
        var error = head.Split("\r\n").Single(l => l.StartsWith("Micro-Error: ", StringComparison.Ordinal));
        Assert.Contains("\"code\":400", error, StringComparison.Ordinal);
        Assert.Contains("invalid protobuf for HelloRequest", error, StringComparison.Ordinal);
    }
}
