using System.Buffers;
using System.Buffers.Binary;
using System.Net.Sockets;
using Micro.Transport;
using Micro.Transport.Tcp;

namespace Micro.Tests;

public sealed class FrameCodecTests
{
    private static byte[] Encode(FrameType type, uint id, Dictionary<string, string>? headers, byte[] body)
    {
        var writer = new ArrayBufferWriter<byte>();
        FrameCodec.Write(writer, type, id, headers, body, (int)FrameCodec.MeasureFrame(headers, body.Length));
        return writer.WrittenSpan.ToArray();
    }

    private static DecodeStatus Decode(byte[] bytes, out Frame frame, out string? error, int max = 1024)
    {
        var buffer = new ReadOnlySequence<byte>(bytes);
        return FrameCodec.TryDecode(ref buffer, max, out frame, out error);
    }

    [Fact]
    public void Round_trips_headers_and_body()
    {
        var headers = TransportMessage.NewHeaders();
        headers["Content-Type"] = "application/json";
        headers["x-ünïcode"] = "välue";
        var bytes = Encode(FrameType.Request, 42, headers, [1, 2, 3]);
        Assert.Equal(DecodeStatus.Complete, Decode(bytes, out var frame, out _));
        Assert.Equal((FrameType.Request, 42u), (frame.Type, frame.Id));
        Assert.Equal("välue", frame.Headers!["X-ÜNÏCODE"]);
        Assert.Equal(new byte[] { 1, 2, 3 }, frame.Body.ToArray());
    }

    [Fact]
    public void Decodes_frames_split_across_segments_and_several_in_one_buffer()
    {
        var one = Encode(FrameType.Response, 1, null, new byte[100]);
        var two = Encode(FrameType.Response, 2, null, [9]);
        var all = one.Concat(two).ToArray();
        var buffer = Sequences.Chunked(all, 7);
        Assert.Equal(DecodeStatus.Complete, FrameCodec.TryDecode(ref buffer, 1024, out var a, out _));
        Assert.Equal(DecodeStatus.Complete, FrameCodec.TryDecode(ref buffer, 1024, out var b, out _));
        Assert.Equal((1u, 2u), (a.Id, b.Id));
        Assert.Equal(0, buffer.Length);
    }

    [Fact]
    public void Truncated_input_asks_for_more_at_every_cut()
    {
        var bytes = Encode(FrameType.Request, 7, new Dictionary<string, string> { ["a"] = "b" }, [1, 2, 3, 4]);
        for (var cut = 0; cut < bytes.Length; cut++)
        {
            Assert.Equal(DecodeStatus.Incomplete, Decode(bytes[..cut], out _, out _));
        }
    }

    [Fact]
    public void Oversized_frames_are_refused_before_reading_their_body_and_keep_the_id()
    {
        var bytes = new byte[16];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, 10_000_000);
        bytes[4] = (byte)FrameType.Request;
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(5), 99);
        Assert.Equal(DecodeStatus.Oversized, Decode(bytes, out var frame, out var error));
        Assert.Equal(99u, frame.Id);
        Assert.Contains("exceeds the maximum message size of 1024", error);
    }

    [Theory]
    [InlineData("length shorter than header", new byte[] { 0, 0, 0, 2, 1, 0 })]
    [InlineData("unknown type", new byte[] { 0, 0, 0, 7, 9, 0, 0, 0, 1, 0, 0 })]
    [InlineData("header name past end", new byte[] { 0, 0, 0, 9, 1, 0, 0, 0, 1, 0, 1, 0, 50 })]
    [InlineData("header value past end", new byte[] { 0, 0, 0, 14, 1, 0, 0, 0, 1, 0, 1, 0, 1, 65, 0, 0, 0, 9 })]
    [InlineData("invalid utf8 name", new byte[] { 0, 0, 0, 14, 1, 0, 0, 0, 1, 0, 1, 0, 1, 0xC3, 0, 0, 0, 0 })]
    public void Malformed_frames_are_reported_with_a_reason(string why, byte[] bytes)
    {
        Assert.Equal(DecodeStatus.Malformed, Decode(bytes, out _, out var error));
        Assert.False(string.IsNullOrEmpty(error), why);
    }

    [Fact]
    public void Random_garbage_never_throws()
    {
        var random = new Random(1234);
        for (var i = 0; i < 20_000; i++)
        {
            var bytes = new byte[random.Next(0, 64)];
            random.NextBytes(bytes);
            if (bytes.Length >= 4 && random.Next(2) == 0)
            {
                BinaryPrimitives.WriteUInt32BigEndian(bytes, (uint)(bytes.Length - 4)); // plausible length, garbage inside
            }

            var buffer = new ReadOnlySequence<byte>(bytes);
            _ = FrameCodec.TryDecode(ref buffer, 1024, out _, out _);
        }
    }
}

/// <summary>Bad bytes on a real socket: they close that connection only; the server and other connections carry on.</summary>
public sealed class TcpTransportRobustnessTests
{
    [Theory]
    [InlineData("garbage")]
    [InlineData("oversized")]
    [InlineData("truncated")]
    public async Task A_bad_connection_is_closed_and_others_are_unaffected(string kind)
    {
        await using var kit = new TestKit(transport: new TcpTransport(TransportOptions.Default with { MaxMessageSize = 64 * 1024 }));
        var server = await kit.StartServerAsync("greeter", new Greeter());
        var client = kit.CreateClient();
        Assert.Equal("Hello A", (await client.CallAsync<HelloRequest, HelloResponse>("greeter", "Greeter.Hello", new HelloRequest("A"))).Msg);

        var (host, port) = TcpAddress.Split(server.Address);
        using var raw = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await raw.ConnectAsync(host, port);
        byte[] bytes = kind switch
        {
            "garbage" => [0, 0, 0, 8, 77, 1, 2, 3, 4, 5, 6, 7],
            "oversized" => [0, 0x10, 0, 0, 1, 0, 0, 0, 5, 0, 0],
            _ => [0, 0, 0, 100, 1, 0, 0, 0, 1],
        };
        await raw.SendAsync(bytes);
        if (kind == "truncated")
        {
            raw.Shutdown(SocketShutdown.Send); // ends mid-frame
        }

        // The server closes the bad connection (after a clear error frame when it could tell who to answer).
        var received = new List<byte>();
        var buffer = new byte[4096];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        int n;
        while ((n = await raw.ReceiveAsync(buffer, timeout.Token)) > 0)
        {
            received.AddRange(buffer[..n]);
        }

        if (kind == "oversized")
        {
            var text = System.Text.Encoding.UTF8.GetString(received.ToArray());
            Assert.Contains("exceeds the maximum message size", text);
            Assert.Contains("413", text);
        }

        // Meanwhile the pooled client connections still work.
        Assert.Equal("Hello B", (await client.CallAsync<HelloRequest, HelloResponse>("greeter", "Greeter.Hello", new HelloRequest("B"))).Msg);
    }

    [Fact]
    public async Task A_message_over_the_limit_fails_at_the_sender_with_a_413()
    {
        await using var kit = new TestKit(transport: new TcpTransport(TransportOptions.Default with { MaxMessageSize = 4096 }));
        await kit.StartServerAsync("greeter", new Greeter());
        var client = kit.CreateClient();
        var e = await Assert.ThrowsAsync<MicroException>(async () => await client.CallAsync<HelloRequest, HelloResponse>("greeter", "Greeter.Hello", new HelloRequest(new string('x', 10_000))));
        Assert.Equal(413, e.Code);
        Assert.Contains("exceeds the maximum message size of 4096", e.Detail);
        Assert.Equal("Hello ok", (await client.CallAsync<HelloRequest, HelloResponse>("greeter", "Greeter.Hello", new HelloRequest("ok"))).Msg);
    }

    [Fact]
    public async Task A_response_over_the_limit_becomes_an_error_for_the_caller()
    {
        await using var kit = new TestKit(transport: new TcpTransport(TransportOptions.Default with { MaxMessageSize = 4096 }));
        await kit.StartServerAsync("big", new BigHandler());
        var client = kit.CreateClient(Micro.Client.ClientOptions.Default with { Retries = 0 });
        var e = await Assert.ThrowsAsync<MicroException>(async () => await client.CallAsync<HelloRequest, HelloResponse>("big", "BigHandler.Make", new HelloRequest("x")));
        Assert.Equal(500, e.Code);
        Assert.Contains("exceeds the maximum message size", e.Detail);
    }

    public sealed class BigHandler
    {
        public Task<HelloResponse> Make(HelloRequest request, CancellationToken ct) => Task.FromResult(new HelloResponse(new string('y', 10_000)));
    }
}
