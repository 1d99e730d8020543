using System.Collections.Concurrent;
using System.Diagnostics;
using Micro.Client;
using Micro.Transport;
using Xunit.Abstractions;

namespace Micro.FaultTests;

/// <summary>One attempt as the transport saw it: where it went, when, and whether it failed there.</summary>
public sealed record Attempt(string Address, TimeSpan At, bool Failed);

/// <summary>Wraps a transport and records every attempt (a call with retries makes several).</summary>
public sealed class RecordingTransport(ITransport inner, Stopwatch clock) : ITransport
{
    public ConcurrentQueue<Attempt> Attempts { get; } = new();

    public string Name => inner.Name;

    public ValueTask<ITransportListener> ListenAsync(string address, ITransportHandler handler, CancellationToken cancellationToken = default)
        => inner.ListenAsync(address, handler, cancellationToken);

    public async ValueTask<TransportMessage> RequestAsync(string address, TransportMessage request, CancellationToken cancellationToken = default)
    {
        var at = clock.Elapsed;
        try
        {
            var reply = await inner.RequestAsync(address, request, cancellationToken).ConfigureAwait(false);
            Attempts.Enqueue(new Attempt(address, at, reply.Headers.ContainsKey(MicroHeaders.Error)));
            return reply;
        }
        catch
        {
            Attempts.Enqueue(new Attempt(address, at, true));
            throw;
        }
    }

    public ValueTask<ITransportStream> OpenStreamAsync(string address, IReadOnlyDictionary<string, string> headers, CancellationToken cancellationToken = default)
        => inner.OpenStreamAsync(address, headers, cancellationToken);

    public ValueTask DisposeAsync() => inner.DisposeAsync();
}

/// <summary>Calls made by a few workers until stopped: what succeeded (with latency and answering node) and what failed.</summary>
public sealed class Load
{
    private readonly ConcurrentQueue<(TimeSpan Latency, string? Node)> _ok = new();
    private readonly ConcurrentQueue<string> _failed = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task[] _workers;

    private Load(IMicroClient client, string service, int workers, TimeSpan pause, string endpoint)
    {
        _workers = Enumerable.Range(0, workers).Select(w => Task.Run(async () =>
        {
            var body = System.Text.Encoding.UTF8.GetBytes($$"""{"name":"w{{w}}"}""");
            while (!_stop.IsCancellationRequested)
            {
                var started = Stopwatch.GetTimestamp();
                try
                {
                    var reply = await client.CallAsync(new MicroRequest(service, endpoint, body, "application/json"));
                    _ok.Enqueue((Stopwatch.GetElapsedTime(started), reply.Metadata.GetValueOrDefault("X-Node-Id")));
                }
                catch (MicroException e)
                {
                    _failed.Enqueue($"{e.Code} {e.Detail}");
                }

                if (pause > TimeSpan.Zero)
                {
                    await Task.Delay(pause);
                }
            }
        })).ToArray();
    }

    public static Load Start(IMicroClient client, string service, int workers = 4, TimeSpan pause = default, string endpoint = "Greeter.Hello") => new(client, service, workers, pause, endpoint);

    public int Succeeded => _ok.Count;

    public IReadOnlyCollection<string> Failures => _failed;

    public IReadOnlyCollection<string?> AnsweredBy => _ok.Select(o => o.Node).ToArray();

    /// <summary>Every successful call: its latency and the node that answered.</summary>
    public IReadOnlyList<(TimeSpan Latency, string? Node)> Results => _ok.ToArray();

    public TimeSpan Percentile(double p) => Percentile(_ok.Select(o => o.Latency), p);

    public static TimeSpan Percentile(IEnumerable<TimeSpan> latencies, double p)
    {
        var sorted = latencies.Order().ToArray();
        return sorted.Length == 0 ? TimeSpan.Zero : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
    }

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_workers);
    }

    /// <summary>Calls that ended, either way.</summary>
    public int Ended => _ok.Count + _failed.Count;

    /// <summary>Waits until at least <paramref name="calls"/> more calls have ended, succeeded or failed (bounded).</summary>
    public async Task RunForEndedAsync(int calls, TimeSpan limit)
    {
        var target = Ended + calls;
        var deadline = Stopwatch.GetTimestamp() + (long)(limit.TotalSeconds * Stopwatch.Frequency);
        while (Ended < target && Stopwatch.GetTimestamp() < deadline)
        {
            await Task.Delay(20);
        }
    }

    /// <summary>Waits until at least <paramref name="calls"/> more calls have succeeded (bounded).</summary>
    public async Task RunForAsync(int calls, TimeSpan limit)
    {
        var target = Succeeded + calls;
        var deadline = Stopwatch.GetTimestamp() + (long)(limit.TotalSeconds * Stopwatch.Frequency);
        while (Succeeded < target && Stopwatch.GetTimestamp() < deadline)
        {
            await Task.Delay(20);
        }
    }
}

/// <summary>Prints a test's figures as one line (the suite's record; docs/reliability.md quotes them).</summary>
public static class Figures
{
    public static void Print(ITestOutputHelper output, string test, params (string Name, object Value)[] figures)
    {
        var line = $"FIGURES {test}: " + string.Join(", ", figures.Select(f => $"{f.Name}={f.Value}"));
        output.WriteLine(line);
        Console.WriteLine(line);
    }
}
