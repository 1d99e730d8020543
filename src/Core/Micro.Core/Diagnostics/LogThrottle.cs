namespace Micro.Diagnostics;

/// <summary>
/// At most one log line a second for something a peer can make happen at will (refused requests and connections,
/// dropped messages): a flood must not become a flood of log lines. Thread-safe.
/// </summary>
internal sealed class LogThrottle
{
    private long _last = -1000; // Environment.TickCount64 may start near 0: the first one is always said

    /// <summary>True when a line may be written now (and counts it as written).</summary>
    public bool ShouldLog()
    {
        var now = Environment.TickCount64;
        var last = Interlocked.Read(ref _last);
        return now - last >= 1000 && Interlocked.CompareExchange(ref _last, now, last) == last;
    }
}
