namespace Micro.Client;

/// <summary>
/// The recent latencies of one endpoint (the last 256 first attempts) and their 95th percentile, recomputed with each
/// of the first 64 samples, then every 32 by the thread that records the 32nd: a call costs one interlocked increment and one write.
/// </summary>
internal sealed class EndpointLatency
{
    private const int Size = 256;
    private readonly long[] _ticks = new long[Size];
    private long _count;
    private long _p95 = -1;

    public void Record(long ticks)
    {
        var n = Interlocked.Increment(ref _count);
        Volatile.Write(ref _ticks[(int)((n - 1) % Size)], ticks);
        if (n <= 64 || n % 32 == 0)
        {
            var copy = new long[Math.Min(n, Size)];
            Array.Copy(_ticks, copy, copy.Length);
            Array.Sort(copy);
            Volatile.Write(ref _p95, copy[(int)Math.Ceiling(copy.Length * 0.95) - 1]);
        }
    }

    /// <summary>The 95th percentile in ticks, or -1 before <paramref name="minSamples"/> were recorded.</summary>
    public long P95(int minSamples) => Interlocked.Read(ref _count) >= minSamples ? Volatile.Read(ref _p95) : -1;
}
