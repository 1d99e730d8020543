using Micro.Transport;
using Micro.Transport.Tcp;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace Micro.Tests;

/// <summary>
/// The tcp transport's limits on what arrives: each hit is a clear error for the caller and a log line on the
/// server, and the server (and the caller's other work) carries on.
/// </summary>
public sealed class TransportLimitTests : IAsyncDisposable
{
    private readonly FakeLoggerProvider _logs = new();
    private readonly ILoggerFactory _loggers;
    private readonly List<IAsyncDisposable> _owned = [];

    public TransportLimitTests()
    {
        _loggers = LoggerFactory.Create(b => b.AddProvider(_logs));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var owned in Enumerable.Reverse(_owned))
        {
            await owned.DisposeAsync();
        }

        _loggers.Dispose();
        _logs.Dispose();
    }

    [Fact]
    public async Task A_request_with_too_many_headers_gets_a_400_naming_the_limit_and_the_connection_stays_usable()
    {
        var address = await ServeAsync(TransportOptions.Default with { MaxHeaderCount = 16 }, Echo);
        var client = Client(TransportOptions.Default);

        var e = await Assert.ThrowsAsync<MicroException>(async () => await Call(client, address, Headers(40, 10)));
        Assert.Equal(400, e.Code);
        Assert.Contains("40 headers, over the limit of 16", e.Detail);
        Assert.Contains(_logs.Collector.GetSnapshot(), r => r.Level == LogLevel.Warning && r.Message.Contains("over the limit of 16", StringComparison.Ordinal));

        // Same pooled connection, next request: answered.
        var ok = await Call(client, address, Headers(3, 10));
        Assert.Equal("echo", System.Text.Encoding.UTF8.GetString(ok.Body.Span));
    }

    [Fact]
    public async Task A_request_with_too_many_header_bytes_gets_a_400()
    {
        var address = await ServeAsync(TransportOptions.Default with { MaxHeaderBytes = 2048 }, Echo);
        var client = Client(TransportOptions.Default);

        var e = await Assert.ThrowsAsync<MicroException>(async () => await Call(client, address, Headers(4, 1000)));
        Assert.Equal(400, e.Code);
        Assert.Contains("exceed the limit of 2048 bytes", e.Detail);
        Assert.Equal("echo", System.Text.Encoding.UTF8.GetString((await Call(client, address, Headers(1, 100))).Body.Span));
    }

    [Fact]
    public async Task A_response_over_the_callers_header_limit_fails_that_call_with_a_502()
    {
        var address = await ServeAsync(TransportOptions.Default, (request, _) =>
        {
            var response = new TransportMessage(Headers(request.Headers.ContainsKey("many") ? 50 : 1, 10), "echo"u8.ToArray());
            return ValueTask.FromResult(response);
        });
        var client = Client(TransportOptions.Default with { MaxHeaderCount = 16 });

        var many = Headers(1, 10);
        many["many"] = "yes";
        var e = await Assert.ThrowsAsync<MicroException>(async () => await Call(client, address, many));
        Assert.Equal(502, e.Code);
        Assert.Contains("response refused: message has 50 headers", e.Detail);
        Assert.Equal("echo", System.Text.Encoding.UTF8.GetString((await Call(client, address, Headers(1, 10))).Body.Span));
    }

    [Fact]
    public async Task Requests_beyond_the_concurrency_limit_of_a_connection_get_a_503_and_the_running_ones_finish()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = 0;
        var address = await ServeAsync(TransportOptions.Default with { MaxConcurrentRequests = 2 }, async (_, ct) =>
        {
            Interlocked.Increment(ref started);
            await release.Task.WaitAsync(ct);
            return new TransportMessage(null, "done"u8.ToArray());
        });
        var client = Client(TransportOptions.Default with { PoolSize = 1 });

        var first = Call(client, address, Headers(1, 1));
        var second = Call(client, address, Headers(1, 1));
        await Eventually(() => Volatile.Read(ref started) == 2);

        var e = await Assert.ThrowsAsync<MicroException>(async () => await Call(client, address, Headers(1, 1)));
        Assert.Equal(503, e.Code);
        Assert.Contains("2 requests already running on this connection", e.Detail);
        Assert.Contains(_logs.Collector.GetSnapshot(), r => r.Level == LogLevel.Warning && r.Message.Contains("server busy", StringComparison.Ordinal));

        release.SetResult();
        Assert.Equal("done", System.Text.Encoding.UTF8.GetString((await first).Body.Span));
        Assert.Equal("done", System.Text.Encoding.UTF8.GetString((await second).Body.Span));
        Assert.Equal("done", System.Text.Encoding.UTF8.GetString((await Call(client, address, Headers(1, 1))).Body.Span));
    }

    [Fact]
    public async Task Connections_beyond_the_limit_per_client_address_are_refused_with_the_reason()
    {
        var address = await ServeAsync(TransportOptions.Default with { MaxConnectionsPerAddress = 1 }, Echo);
        var holder = Client(TransportOptions.Default with { PoolSize = 1 });
        await Call(holder, address, Headers(1, 1)); // holds the one connection allowed from 127.0.0.1

        var refused = Client(TransportOptions.Default with { PoolSize = 1 });
        var e = await Assert.ThrowsAsync<MicroException>(async () => await Call(refused, address, Headers(1, 1)));
        Assert.True(e.IsTransportError, "a refused connection is a transport error, so a client retries another node");
        Assert.Contains("server refused the connection: too many connections from 127.0.0.1 (the limit is 1", e.Detail);
        Assert.Contains(_logs.Collector.GetSnapshot(), r => r.Level == LogLevel.Warning && r.Message.Contains("too many connections", StringComparison.Ordinal));

        // The first client is unaffected; once it goes, the slot is free again.
        await Call(holder, address, Headers(1, 1));
        await holder.DisposeAsync();
        _owned.Remove(holder);
        await Eventually(async () =>
        {
            var again = Client(TransportOptions.Default with { PoolSize = 1 });
            try
            {
                await Call(again, address, Headers(1, 1));
                return true;
            }
            catch (MicroException)
            {
                return false;
            }
        });
    }

    [Fact]
    public void Limits_are_read_from_configuration_with_clear_errors()
    {
        var settings = Micro.Hosting.MicroSettings.FromConfiguration(Config(("max_header_count", "32"), ("max_header_bytes", "4096"), ("max_concurrent_requests", "100"), ("max_connections_per_address", "10")));
        var options = settings.ToTransportOptions();
        Assert.Equal((32, 4096, 100, 10), (options.MaxHeaderCount, options.MaxHeaderBytes, options.MaxConcurrentRequests, options.MaxConnectionsPerAddress));
        var e = Assert.Throws<FormatException>(() => Micro.Hosting.MicroSettings.FromConfiguration(Config(("max_concurrent_requests", "0"))));
        Assert.Contains("max_concurrent_requests", e.Message);
    }

    private static IConfiguration Config(params (string Key, string Value)[] pairs)
        => new ConfigurationBuilder().AddInMemoryCollection(pairs.Select(p => KeyValuePair.Create(p.Key, (string?)p.Value))).Build();

    private static ValueTask<TransportMessage> Echo(TransportMessage request, CancellationToken cancellationToken)
        => ValueTask.FromResult(new TransportMessage(null, "echo"u8.ToArray()));

    private static Dictionary<string, string> Headers(int count, int valueLength)
    {
        var headers = TransportMessage.NewHeaders(count);
        for (var i = 0; i < count; i++)
        {
            headers["X-" + i] = new string('v', valueLength);
        }

        return headers;
    }

    private static async Task<TransportMessage> Call(TcpTransport client, string address, Dictionary<string, string> headers)
    {
        var response = await client.RequestAsync(address, new TransportMessage(headers, "hi"u8.ToArray())).AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        if (response.Headers.TryGetValue(MicroHeaders.Error, out var error))
        {
            throw MicroException.Parse(error);
        }

        return response;
    }

    private static async Task Eventually(Func<bool> condition) => await Eventually(() => Task.FromResult(condition()));

    private static async Task Eventually(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition did not hold within 30 s");
            await Task.Delay(20);
        }
    }

    private async Task<string> ServeAsync(TransportOptions options, Func<TransportMessage, CancellationToken, ValueTask<TransportMessage>> handle)
    {
        var transport = new TcpTransport(options with { LoggerFactory = _loggers });
        _owned.Add(transport);
        var listener = await transport.ListenAsync("127.0.0.1:0", new Handler(handle));
        _owned.Add(listener);
        return listener.Address;
    }

    private TcpTransport Client(TransportOptions options)
    {
        var transport = new TcpTransport(options);
        _owned.Add(transport);
        return transport;
    }

    private sealed class Handler(Func<TransportMessage, CancellationToken, ValueTask<TransportMessage>> handle) : ITransportHandler
    {
        public ValueTask<TransportMessage> HandleAsync(TransportMessage request, TransportPeer peer, CancellationToken cancellationToken)
            => handle(request, cancellationToken);

        public ValueTask HandleStreamAsync(ITransportStream stream, TransportPeer peer, CancellationToken cancellationToken)
            => stream.CompleteAsync(MicroException.BadRequest("test", "this handler takes no streams").ToJson(), cancellationToken);
    }
}
