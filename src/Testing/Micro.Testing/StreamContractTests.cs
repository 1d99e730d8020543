using System.Runtime.CompilerServices;
using Micro.Client;
using Micro.Transport;

namespace Micro.Testing;

public sealed record CountRequest(int To);

public sealed record Number(int N);

public sealed class Streamer
{
    public int Produced;
    public TaskCompletionSource<bool> Cancelled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async IAsyncEnumerable<Number> Count(CountRequest request, [EnumeratorCancellation] CancellationToken ct)
    {
        for (var i = 1; i <= request.To; i++)
        {
            yield return new Number(i);
        }

        await Task.CompletedTask;
    }

    public async Task<Number> Sum(IAsyncEnumerable<Number> numbers, CancellationToken ct)
    {
        var sum = 0;
        await foreach (var n in numbers.WithCancellation(ct))
        {
            sum += n.N;
        }

        return new Number(sum);
    }

    public async IAsyncEnumerable<Number> Echo(IAsyncEnumerable<Number> numbers, [EnumeratorCancellation] CancellationToken ct)
    {
        await foreach (var n in numbers.WithCancellation(ct))
        {
            yield return n;
        }
    }

    public async IAsyncEnumerable<Number> TakeFive(IAsyncEnumerable<Number> numbers, [EnumeratorCancellation] CancellationToken ct)
    {
        var taken = 0;
        await foreach (var n in numbers.WithCancellation(ct))
        {
            yield return n;
            if (++taken == 5)
            {
                yield break; // the server ends the stream early
            }
        }
    }

    public async IAsyncEnumerable<Number> FailAfterThree(CountRequest request, [EnumeratorCancellation] CancellationToken ct)
    {
        for (var i = 1; i <= 3; i++)
        {
            yield return new Number(i);
        }

        await Task.Yield();
        throw new InvalidOperationException("broke after three");
    }

    public async IAsyncEnumerable<Number> Endless(CountRequest request, [EnumeratorCancellation] CancellationToken ct)
    {
        // The handler's token is what cancellation reaches, whether or not the handler is inside this loop at the time.
        using var registration = ct.Register(() => Cancelled.TrySetResult(true));
        var i = 0;
        while (true)
        {
            if (ct.IsCancellationRequested)
            {
                Cancelled.TrySetResult(true);
                yield break;
            }

            Interlocked.Increment(ref Produced);
            Number next;
            try
            {
                await Task.Yield();
                next = new Number(++i);
            }
            catch (OperationCanceledException)
            {
                Cancelled.TrySetResult(true);
                throw;
            }

            yield return next;
        }
    }
}

/// <summary>What every transport that carries streams must do; each such transport's test class runs these.</summary>
public abstract class StreamContractTests
{
    protected abstract ITransport CreateTransport();

    /// <summary>The most messages a stream lets wait unread (the transport's flow-control window).</summary>
    protected abstract int Window { get; }

    private async Task<(TestKit Kit, Streamer Handler, MicroClient Client)> StartAsync()
    {
        var kit = new TestKit(transport: CreateTransport());
        var handler = new Streamer();
        await kit.StartServerAsync("streamer", handler);
        return (kit, handler, kit.CreateClient());
    }

    [Fact]
    public async Task Server_streaming_delivers_10000_messages_in_order()
    {
        var (kit, _, client) = await StartAsync();
        await using var _ = kit;
        var expected = 1;
        await foreach (var n in client.StreamAsync<CountRequest, Number>("streamer", "Streamer.Count", new CountRequest(10_000)))
        {
            Assert.Equal(expected++, n.N);
        }

        Assert.Equal(10_001, expected);
    }

    [Fact]
    public async Task Client_streaming_sums_10000_messages()
    {
        var (kit, _, client) = await StartAsync();
        await using var _ = kit;
        await using var stream = await client.OpenStreamAsync<Number, Number>("streamer", "Streamer.Sum");
        for (var i = 1; i <= 10_000; i++)
        {
            await stream.SendAsync(new Number(i));
        }

        await stream.CompleteAsync();
        var result = Assert.Single(await stream.ReadAllAsync().ToListAsync());
        Assert.Equal(50_005_000, result.N);
    }

    [Fact]
    public async Task Bidirectional_echoes_10000_messages_while_both_sides_stream()
    {
        var (kit, _, client) = await StartAsync();
        await using var _ = kit;
        await using var stream = await client.OpenStreamAsync<Number, Number>("streamer", "Streamer.Echo");
        var reading = Task.Run(async () => await stream.ReadAllAsync().Select(n => n.N).ToListAsync());
        for (var i = 0; i < 10_000; i++)
        {
            await stream.SendAsync(new Number(i));
        }

        await stream.CompleteAsync();
        Assert.Equal(Enumerable.Range(0, 10_000), await reading.WaitAsync(TimeSpan.FromSeconds(60)));
    }

    [Fact]
    public async Task The_server_can_end_a_stream_early()
    {
        var (kit, _, client) = await StartAsync();
        await using var _ = kit;
        await using var stream = await client.OpenStreamAsync<Number, Number>("streamer", "Streamer.TakeFive");
        var reading = Task.Run(async () => await stream.ReadAllAsync().Select(n => n.N).ToListAsync());
        for (var i = 0; i < 5; i++)
        {
            await stream.SendAsync(new Number(i));
        }

        Assert.Equal([0, 1, 2, 3, 4], await reading.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task Client_cancellation_ends_the_stream_and_cancels_the_handler()
    {
        var (kit, handler, client) = await StartAsync();
        await using var _ = kit;
        using var cts = new CancellationTokenSource();
        var read = 0;
        await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await foreach (var n in client.StreamAsync<CountRequest, Number>("streamer", "Streamer.Endless", new CountRequest(0), cancellationToken: cts.Token))
            {
                if (++read == 100)
                {
                    await cts.CancelAsync();
                }
            }
        });
        Assert.True(await handler.Cancelled.Task.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task A_handler_throwing_mid_stream_reaches_the_caller_as_error_json()
    {
        var (kit, _, client) = await StartAsync();
        await using var _ = kit;
        var got = new List<int>();
        var e = await Assert.ThrowsAsync<MicroException>(async () =>
        {
            await foreach (var n in client.StreamAsync<CountRequest, Number>("streamer", "Streamer.FailAfterThree", new CountRequest(0)))
            {
                got.Add(n.N);
            }
        });
        Assert.Equal([1, 2, 3], got);
        Assert.Equal((500, "streamer", "broke after three"), (e.Code, e.Id, e.Detail));
    }

    [Fact]
    public async Task A_slow_reader_holds_back_the_writer_instead_of_buffering_without_bound()
    {
        var (kit, handler, client) = await StartAsync();
        await using var _ = kit;
        await using var stream = await client.OpenStreamAsync<CountRequest, Number>("streamer", "Streamer.Endless");
        await stream.SendAsync(new CountRequest(0));
        await using var replies = stream.ReadAllAsync().GetAsyncEnumerator();
        Assert.True(await replies.MoveNextAsync()); // read one, then stop reading
        await Task.Delay(1000); // the server would produce far more than a window in this time without flow control
        var produced = Volatile.Read(ref handler.Produced);
        // At most the unread window here, one in flight per side, and one being produced.
        Assert.InRange(produced, 1, (2 * Window) + 4);
    }

    [Fact]
    public async Task Stream_endpoints_are_marked_in_the_registry_and_unknown_ones_are_404()
    {
        var (kit, _, client) = await StartAsync();
        await using var _ = kit;
        var service = Assert.Single(await kit.Registry.GetServiceAsync("streamer"));
        Assert.Equal("true", service.Endpoints.Single(e => e.Name == "Streamer.Count").Metadata!["stream"]);
        var e = await Assert.ThrowsAsync<MicroException>(async () => await client.StreamAsync<CountRequest, Number>("streamer", "Streamer.Nope", new CountRequest(1)).ToListAsync());
        Assert.Equal(404, e.Code);
        Assert.Contains("Streamer.Nope", e.Detail);
    }
}
