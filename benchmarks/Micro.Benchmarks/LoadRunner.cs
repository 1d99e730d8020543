using System.Diagnostics;

namespace Micro.Benchmarks;

/// <summary>Result of one load run: throughput, latency percentiles and allocations per call on both sides.</summary>
internal sealed record LoadResult(string System, int Concurrency, long Calls, long Errors, double Seconds, double P50Us, double P99Us, double ClientBytesPerCall, double ServerBytesPerCall)
{
    public double Throughput => Calls / Seconds;
}

/// <summary>Runs N concurrent callers in a closed loop (each waits for its reply before the next call).</summary>
internal static class LoadRunner
{
    public static async Task<LoadResult> RunAsync(string system, int concurrency, Func<Task> call, ServerProcess server, TimeSpan warmup, TimeSpan duration)
    {
        await LoopAsync(concurrency, call, warmup, null);
        var serverBefore = await server.AllocatedBytesAsync();
        var latencies = Enumerable.Range(0, concurrency).Select(_ => new List<long>(Math.Max(1024, 2_000_000 / concurrency))).ToArray();
        var clientBefore = GC.GetTotalAllocatedBytes(precise: true);
        var (calls, errors, seconds) = await LoopAsync(concurrency, call, duration, latencies);
        var clientAfter = GC.GetTotalAllocatedBytes(precise: true);
        var serverAfter = await server.AllocatedBytesAsync();

        var all = latencies.SelectMany(l => l).ToArray();
        Array.Sort(all);
        double Percentile(double p) => all.Length == 0 ? 0 : all[Math.Min(all.Length - 1, (int)(p * all.Length))] * 1_000_000.0 / Stopwatch.Frequency;
        return new LoadResult(system, concurrency, calls, errors, seconds, Percentile(0.50), Percentile(0.99),
            (clientAfter - clientBefore) / (double)Math.Max(1, calls), (serverAfter - serverBefore) / (double)Math.Max(1, calls));
    }

    private static async Task<(long Calls, long Errors, double Seconds)> LoopAsync(int concurrency, Func<Task> call, TimeSpan duration, List<long>[]? latencies)
    {
        var stop = 0;
        long calls = 0, errors = 0;
        var started = Stopwatch.GetTimestamp();
        var workers = Enumerable.Range(0, concurrency).Select(w => Task.Run(async () =>
        {
            var mine = latencies?[w];
            long n = 0, e = 0;
            while (Volatile.Read(ref stop) == 0)
            {
                var t0 = Stopwatch.GetTimestamp();
                try
                {
                    await call();
                    mine?.Add(Stopwatch.GetTimestamp() - t0);
                    n++;
                }
                catch (Exception)
                {
                    e++;
                }
            }

            Interlocked.Add(ref calls, n);
            Interlocked.Add(ref errors, e);
        })).ToArray();
        await Task.Delay(duration);
        Volatile.Write(ref stop, 1);
        await Task.WhenAll(workers);
        return (calls, errors, Stopwatch.GetElapsedTime(started).TotalSeconds);
    }
}
