using System.Net;
using System.Net.Sockets;
using System.Text;
using Micro.Client;
using Micro.Codec;
using Micro.Registry;
using Micro.Selector;
using Micro.Transport.Http;

namespace Micro.Tests;

/// <summary>
/// go-micro's http transport with its json-rpc and proto-rpc codecs, checked against byte-exact literals built from the
/// reference (no Go toolchain here): what a Go client sends must be answered with what a Go client expects, and what
/// our client sends must be what a Go server expects.
/// </summary>
public sealed class GoMicroWireTests
{
    private const string JsonRpcRequest = "{\"method\":\"Greeter.Hello\",\"params\":[{\"name\":\"John\"}],\"id\":0}\n";
    private const string JsonRpcResponse = "{\"id\":0,\"result\":{\"msg\":\"Hello John\"},\"error\":null}\n";

    [Fact]
    public async Task A_go_micro_json_rpc_request_gets_a_go_micro_json_rpc_reply()
    {
        await using var kit = new TestKit(transport: new HttpTransport());
        var server = await kit.StartServerAsync("greeter", new Greeter());
        var (head, body) = await RawHttp.SendAsync(server.Address,
            "POST / HTTP/1.1\r\nHost: greeter\r\nContent-Type: application/json-rpc\r\nMicro-Id: 42\r\nMicro-Service: greeter\r\n" +
            "Micro-Method: Greeter.Hello\r\nMicro-Endpoint: Greeter.Hello\r\nTimeout: 5000000000\r\nContent-Length: {length}\r\n\r\n",
            Encoding.UTF8.GetBytes(JsonRpcRequest));
        var lines = head.Split("\r\n");
        Assert.Equal("HTTP/1.1 200 OK", lines[0]);
        Assert.Contains("Content-Type: application/json-rpc", lines);
        Assert.Contains("Micro-Id: 42", lines);
        Assert.DoesNotContain(lines, l => l.StartsWith("Micro-Error", StringComparison.Ordinal));
        Assert.Equal(JsonRpcResponse, Encoding.UTF8.GetString(body));
    }

    [Fact]
    public async Task A_json_rpc_request_without_micro_headers_is_routed_by_its_method()
    {
        await using var kit = new TestKit(transport: new HttpTransport());
        var server = await kit.StartServerAsync("greeter", new Greeter());
        var (_, body) = await RawHttp.SendAsync(server.Address, "POST / HTTP/1.1\r\nHost: greeter\r\nContent-Type: application/json-rpc\r\nContent-Length: {length}\r\n\r\n", Encoding.UTF8.GetBytes(JsonRpcRequest));
        Assert.Equal(JsonRpcResponse, Encoding.UTF8.GetString(body));
    }

    [Fact]
    public async Task An_error_reaches_a_go_client_in_micro_error_and_in_the_envelope()
    {
        await using var kit = new TestKit(transport: new HttpTransport());
        var server = await kit.StartServerAsync("greeter", new Greeter());
        var request = "{\"method\":\"Greeter.Nope\",\"params\":[{}],\"id\":7}\n";
        var (head, body) = await RawHttp.SendAsync(server.Address,
            "POST / HTTP/1.1\r\nHost: greeter\r\nContent-Type: application/json-rpc\r\nMicro-Id: 1\r\nMicro-Endpoint: Greeter.Nope\r\nContent-Length: {length}\r\n\r\n", Encoding.UTF8.GetBytes(request));
        const string error = "{\"id\":\"greeter\",\"code\":404,\"detail\":\"unknown endpoint Greeter.Nope of service greeter; it has: Debug.Health, Debug.Stats, Greeter.Hello\",\"status\":\"Not Found\"}";
        Assert.Contains("Micro-Error: " + error, head.Split("\r\n"));
        Assert.Equal("{\"id\":7,\"result\":null,\"error\":" + System.Text.Json.JsonSerializer.Serialize(error) + "}\n", Encoding.UTF8.GetString(body));
    }

    [Theory]
    [InlineData("application/protobuf")]
    [InlineData("application/proto-rpc")]
    public async Task A_go_micro_client_on_protobuf_gets_a_400_from_a_record_typed_service_saying_to_send_json(string contentType)
    {
        await using var kit = new TestKit(transport: new HttpTransport());
        var server = await kit.StartServerAsync("greeter", new Greeter());
        byte[] hello = [0x0A, 0x04, .. "John"u8];
        byte[] body = contentType == "application/protobuf" ? hello : [.. RawHttp.NetString([0x0A, 13, .. "Greeter.Hello"u8]), .. RawHttp.NetString(hello)];
        var (head, _) = await RawHttp.SendAsync(server.Address,
            $"POST / HTTP/1.1\r\nHost: greeter\r\nContent-Type: {contentType}\r\nMicro-Id: 1\r\nMicro-Endpoint: Greeter.Hello\r\nContent-Length: {{length}}\r\n\r\n", body);
        var error = head.Split("\r\n").Single(l => l.StartsWith("Micro-Error: ", StringComparison.Ordinal));
        Assert.Contains("\"code\":400", error, StringComparison.Ordinal);
        Assert.Contains("HelloRequest is not a protobuf message", error, StringComparison.Ordinal);
        Assert.Contains("send application/json instead", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_go_micro_proto_rpc_request_gets_a_go_micro_proto_rpc_reply()
    {
        await using var kit = new TestKit(transport: new HttpTransport());
        var server = await kit.StartServerAsync("echo", new StructEcho());
        // Header: service_method (1, string) = "StructEcho.Echo", seq (2, fixed64) = 5; body: a google.protobuf.Struct {"name": "John"}.
        var header = new byte[] { 0x0A, 15 }.Concat(Encoding.ASCII.GetBytes("StructEcho.Echo")).Concat(new byte[] { 0x11, 5, 0, 0, 0, 0, 0, 0, 0 }).ToArray();
        var message = new Google.Protobuf.WellKnownTypes.Struct { Fields = { ["name"] = Google.Protobuf.WellKnownTypes.Value.ForString("John") } };
        var inner = Google.Protobuf.MessageExtensions.ToByteArray(message);
        var request = RawHttp.NetString(header).Concat(RawHttp.NetString(inner)).ToArray();
        var (head, body) = await RawHttp.SendAsync(server.Address, "POST / HTTP/1.1\r\nHost: echo\r\nContent-Type: application/proto-rpc\r\nContent-Length: {length}\r\n\r\n", request);
        Assert.Contains("Content-Type: application/proto-rpc", head.Split("\r\n"));
        // The reply echoes the header (method and seq, no error) and carries the same Struct back.
        Assert.Equal(RawHttp.NetString(header).Concat(RawHttp.NetString(inner)).ToArray(), body);
    }

    [Fact]
    public async Task Our_client_sends_what_a_go_micro_json_rpc_server_expects_and_reads_its_reply()
    {
        using var fake = new TcpListener(IPAddress.Loopback, 0);
        fake.Start();
        var address = $"127.0.0.1:{((IPEndPoint)fake.LocalEndpoint).Port}";
        await using var registry = new MemoryRegistry();
        await registry.RegisterAsync(new Service { Name = "go.micro.srv.greeter", Nodes = [new Node { Id = "go-1", Address = address, Metadata = new Dictionary<string, string> { ["transport"] = "http" } }] }, TimeSpan.FromMinutes(1));
        await using var transport = new HttpTransport();
        await using var selector = new RegistrySelector(registry);
        var client = new MicroClient(selector, transport, CodecRegistry.Default, ClientOptions.Default with { Retries = 0 });

        var call = client.CallAsync(new MicroRequest("go.micro.srv.greeter", "Greeter.Hello", Encoding.UTF8.GetBytes("{\"name\":\"John\"}"), "application/json-rpc")).AsTask();
        using var socket = await fake.AcceptSocketAsync();
        var (head, body) = await RawHttp.ReadMessageAsync(socket);
        var lines = head.Split("\r\n");
        Assert.Equal("POST / HTTP/1.1", lines[0]);
        Assert.Contains("Content-Type: application/json-rpc", lines);
        Assert.Contains("Micro-Service: go.micro.srv.greeter", lines);
        Assert.Contains("Micro-Endpoint: Greeter.Hello", lines);
        Assert.Contains("Micro-Method: Greeter.Hello", lines);
        Assert.Contains(lines, l => l.StartsWith("Timeout: ", StringComparison.Ordinal) && long.Parse(l[9..], System.Globalization.CultureInfo.InvariantCulture) > 1_000_000_000);
        Assert.Contains(lines, l => l.StartsWith("Micro-Id: ", StringComparison.Ordinal));
        Assert.Equal("{\"method\":\"Greeter.Hello\",\"params\":[{\"name\":\"John\"}],\"id\":1}\n", Encoding.UTF8.GetString(body));

        var reply = "{\"id\":1,\"result\":{\"msg\":\"Hello John\"},\"error\":null}\n";
        await socket.SendAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: application/json-rpc\r\nContent-Length: {reply.Length}\r\n\r\n{reply}"));
        var response = await call.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal("{\"msg\":\"Hello John\"}", Encoding.UTF8.GetString(response.Body.Span));
    }

    [Fact]
    public async Task A_go_micro_error_reply_becomes_the_same_error_for_our_caller()
    {
        using var fake = new TcpListener(IPAddress.Loopback, 0);
        fake.Start();
        var address = $"127.0.0.1:{((IPEndPoint)fake.LocalEndpoint).Port}";
        await using var transport = new HttpTransport();
        await using var registry = new MemoryRegistry();
        await using var selector = new RegistrySelector(registry);
        var client = new MicroClient(selector, transport, CodecRegistry.Default, ClientOptions.Default with { Retries = 0 });
        var call = client.CallAsync(new MicroRequest("go.micro.srv.greeter", "Greeter.Hello", Encoding.UTF8.GetBytes("{}")), new CallOptions { Address = address }).AsTask();
        using var socket = await fake.AcceptSocketAsync();
        await RawHttp.ReadMessageAsync(socket);
        const string error = "{\"id\":\"go.micro.srv.greeter\",\"code\":500,\"detail\":\"boom\",\"status\":\"Internal Server Error\"}";
        await socket.SendAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nMicro-Error: {error}\r\nContent-Length: 0\r\n\r\n"));
        var e = await Assert.ThrowsAsync<MicroException>(() => call.WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.Equal(("go.micro.srv.greeter", 500, "boom", "Internal Server Error"), (e.Id, e.Code, e.Detail, e.Status));
    }

    public sealed class StructEcho
    {
        public Task<Google.Protobuf.WellKnownTypes.Struct> Echo(Google.Protobuf.WellKnownTypes.Struct request, CancellationToken ct) => Task.FromResult(request);
    }
}
