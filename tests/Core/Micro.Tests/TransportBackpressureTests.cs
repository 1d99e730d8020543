using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Micro.Transport;
using Micro.Transport.Tcp;

namespace Micro.Tests;

/// <summary>
/// What a hostile tcp peer cannot do to a server: grow its memory by never reading replies, hold a connection with half
/// a frame, or open connections without bound.
/// </summary>
public sealed class TransportBackpressureTests : IAsyncDisposable
{
    private readonly List<IAsyncDisposable> _owned = [];

    public async ValueTask DisposeAsync()
    {
        foreach (var owned in Enumerable.Reverse(_owned))
        {
            await owned.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_client_that_never_reads_cannot_grow_the_server_while_others_are_served()
    {
        // Every request a fresh 4 KiB reply: 1,000,000 of them would be 4 GB queued without backpressure.
        var address = await ServeAsync(TransportOptions.Default with { MaxQueuedBytes = 4 * 1024 * 1024 }, (_, _) => ValueTask.FromResult(new TransportMessage(null, new byte[4096])));
        GC.Collect();
        var before = GC.GetTotalMemory(forceFullCollection: true);

        using var hostile = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await hostile.ConnectAsync(IPEndPoint.Parse(address));
        var written = 0;
        while (written < 1_000_000)
        {
            var batch = RequestFrames(first: (uint)written + 1, count: 1000); // ids stay unique, as a client's would
            // Writes until the server stops reading (its socket buffers fill: the send does not finish).
            using var stuck = new CancellationTokenSource(TimeSpan.FromSeconds(3));
            try
            {
                await hostile.SendAsync(batch, SocketFlags.None, stuck.Token);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            written += 1000;
        }

        var grown = GC.GetTotalMemory(forceFullCollection: true) - before;
        Console.WriteLine($"never-reading client: {written} requests written before the server stopped reading; managed heap grew {grown / (1024.0 * 1024.0):0.0} MiB");
        Assert.True(written < 1_000_000, "the server kept reading requests whose replies nobody read");
        Assert.True(grown < 256L * 1024 * 1024, $"the server grew by {grown / (1024 * 1024)} MiB");

        await using var other = new TcpTransport();
        var answer = await other.RequestAsync(address, new TransportMessage(null, "hi"u8.ToArray())).AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(4096, answer.Body.Length); // another client is served all the while
    }

    [Fact]
    public async Task A_peer_that_stops_inside_a_frame_is_disconnected()
    {
        var address = await ServeAsync(TransportOptions.Default with { FrameReadTimeout = TimeSpan.FromMilliseconds(300) }, (_, _) => ValueTask.FromResult(new TransportMessage(null, "x"u8.ToArray())));
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPEndPoint.Parse(address));
        var frame = RequestFrames(first: 1, count: 1);
        await socket.SendAsync(frame.AsMemory(0, frame.Length / 2), SocketFlags.None); // half a frame, then silence
        var buffer = new byte[256];
        var read = await socket.ReceiveAsync(buffer, SocketFlags.None).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(0, read); // the server closed it
    }

    [Fact]
    public async Task Connections_beyond_the_total_are_closed_at_once()
    {
        var address = await ServeAsync(TransportOptions.Default with { MaxConnections = 2 }, (_, _) => ValueTask.FromResult(new TransportMessage(null, "x"u8.ToArray())));
        var held = new List<Socket>();
        try
        {
            for (var i = 0; i < 2; i++)
            {
                var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                await s.ConnectAsync(IPEndPoint.Parse(address));
                held.Add(s);
            }

            // Held connections are counted before they send anything, so the third is closed without a word.
            using var third = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await third.ConnectAsync(IPEndPoint.Parse(address));
            var read = await third.ReceiveAsync(new byte[16], SocketFlags.None).WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal(0, read);
        }
        finally
        {
            held.ForEach(s => s.Dispose());
        }
    }

    [Fact]
    public async Task Tls_handshakes_beyond_the_limit_are_closed_at_once()
    {
        var ca = TestPki.Authority("backpressure-ca");
        var address = await ServeAsync(TransportOptions.Default with { MaxPendingHandshakes = 1, Tls = TestPki.Mutual(ca, "node") }, (_, _) => ValueTask.FromResult(new TransportMessage(null, "x"u8.ToArray())));
        using var silent = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp); // starts no handshake: holds the one slot
        await silent.ConnectAsync(IPEndPoint.Parse(address));
        // Accepted in order: the silent one takes the slot first.
        using var second = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await second.ConnectAsync(IPEndPoint.Parse(address));
        var read = await second.ReceiveAsync(new byte[16], SocketFlags.None).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(0, read);
    }

    [Fact]
    public async Task Headers_the_frame_cannot_encode_are_a_400_before_anything_is_sent_and_the_connection_carries_on()
    {
        var address = await ServeAsync(TransportOptions.Default with { MaxHeaderBytes = 1024 * 1024 }, (_, _) => ValueTask.FromResult(new TransportMessage(null, "ok"u8.ToArray())));
        await using var client = new TcpTransport(TransportOptions.Default with { PoolSize = 1 });
        var longName = TransportMessage.NewHeaders(1);
        longName[new string('k', 70_000)] = "v";
        var e = await Assert.ThrowsAsync<MicroException>(async () => await client.RequestAsync(address, new TransportMessage(longName, "x"u8.ToArray())));
        Assert.Equal(400, e.Code);
        Assert.Contains("header name of 70000 bytes", e.Detail, StringComparison.Ordinal);

        var many = TransportMessage.NewHeaders(70_000);
        for (var i = 0; i < 70_000; i++)
        {
            many["h" + i] = "";
        }

        e = await Assert.ThrowsAsync<MicroException>(async () => await client.RequestAsync(address, new TransportMessage(many, "x"u8.ToArray())));
        Assert.Contains("70000 headers cannot be sent", e.Detail, StringComparison.Ordinal);
        Assert.Equal("ok", System.Text.Encoding.UTF8.GetString((await client.RequestAsync(address, new TransportMessage(null, "x"u8.ToArray()))).Body.Span));
    }

    [Fact]
    public async Task A_stream_keeps_at_most_its_byte_window_in_flight_and_delivers_everything()
    {
        var reading = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var received = 0;
        var streams = new Streams(async (stream, ct) =>
        {
            await reading.Task; // a reader that does not read yet
            while (await stream.ReceiveAsync(ct) is not null)
            {
                Interlocked.Increment(ref received);
            }

            await stream.CompleteAsync(cancellationToken: ct);
        });
        var transport = new TcpTransport();
        _owned.Add(transport);
        var listener = await transport.ListenAsync("127.0.0.1:0", streams);
        _owned.Add(listener);
        await using var client = new TcpTransport();
        await using var stream = await client.OpenStreamAsync(listener.Address, TransportMessage.NewHeaders(1));
        var message = new byte[1024 * 1024];
        for (var i = 0; i < 16; i++)
        {
            await stream.SendAsync(message).AsTask().WaitAsync(TimeSpan.FromSeconds(30)); // 16 MiB fit the window, however slow the machine
        }

        // Nothing has been read, so no credit can have come back: the 17th MiB waits for the reader, buffered nowhere.
        var waiting = stream.SendAsync(message).AsTask();
        Assert.False(waiting.IsCompleted, "the 17th MiB was sent while 16 MiB were unread");
        Console.WriteLine("stream byte window: 16 MiB sent before the sender waited for an unread reader");
        reading.SetResult();
        await waiting.WaitAsync(TimeSpan.FromSeconds(30));
        for (var sent = 17; sent < 40; sent++)
        {
            await stream.SendAsync(message).AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        }

        await stream.CompleteAsync();
        Assert.Null(await stream.ReceiveAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(40, Volatile.Read(ref received));
    }

    private sealed class Streams(Func<ITransportStream, CancellationToken, Task> serve) : ITransportHandler
    {
        public ValueTask<TransportMessage> HandleAsync(TransportMessage request, TransportPeer peer, CancellationToken cancellationToken)
            => ValueTask.FromResult(new TransportMessage(null, default));

        public async ValueTask HandleStreamAsync(ITransportStream stream, TransportPeer peer, CancellationToken cancellationToken)
            => await serve(stream, cancellationToken);
    }

    private static byte[] RequestFrames(uint first, int count)
    {
        var headers = TransportMessage.NewHeaders(2);
        headers[MicroHeaders.Endpoint] = "Debug.Stats";
        headers[MicroHeaders.ContentType] = "application/json";
        var body = "{}"u8.ToArray();
        var size = (int)FrameCodec.MeasureFrame(headers, body.Length);
        var writer = new ArrayBufferWriter<byte>();
        for (var i = 0; i < count; i++)
        {
            FrameCodec.Write(writer, FrameType.Request, first + (uint)i, headers, body, size);
        }

        return writer.WrittenSpan.ToArray();
    }

    private async Task<string> ServeAsync(TransportOptions options, Func<TransportMessage, CancellationToken, ValueTask<TransportMessage>> handle)
    {
        var transport = new TcpTransport(options);
        _owned.Add(transport);
        var listener = await transport.ListenAsync("127.0.0.1:0", new Handler(handle));
        _owned.Add(listener);
        return listener.Address;
    }

    private sealed class Handler(Func<TransportMessage, CancellationToken, ValueTask<TransportMessage>> handle) : ITransportHandler
    {
        public ValueTask<TransportMessage> HandleAsync(TransportMessage request, TransportPeer peer, CancellationToken cancellationToken)
            => handle(request, cancellationToken);

        public ValueTask HandleStreamAsync(ITransportStream stream, TransportPeer peer, CancellationToken cancellationToken)
            => stream.CompleteAsync(MicroException.BadRequest("test", "this handler takes no streams").ToJson(), cancellationToken);
    }
}
