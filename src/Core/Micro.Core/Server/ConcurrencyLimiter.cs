namespace Micro.Server;

/// <summary>
/// The server's concurrency limit (<see cref="ConcurrencyLimitOptions"/>). Admitting and releasing a request are a few
/// interlocked operations; the limit is reconsidered by one thread when a window has passed.
/// </summary>
internal sealed class ConcurrencyLimiter
{
    private const int BaselineSlots = 30;

    private readonly ConcurrencyLimitOptions _options;
    private readonly TimeProvider _time;
    private readonly long _window;
    private readonly long _slot; // ticks of one baseline slot
    private readonly long _slack;
    private readonly double[] _best = new double[BaselineSlots]; // best window mean per slot of the baseline window
    private readonly long[] _bestSlot = new long[BaselineSlots];
    private readonly Lock _gate = new();
    private int _limit;
    private int _inFlight;
    private int _peak;
    private long _sum;
    private int _samples;
    private long _windowEnd;

    public ConcurrencyLimiter(ConcurrencyLimitOptions options, TimeProvider time)
    {
        _options = options;
        _time = time;
        _limit = Math.Clamp(options.Initial, options.Min, options.Max);
        _window = Math.Max(1, (long)(options.Window.TotalSeconds * time.TimestampFrequency));
        _slot = Math.Max(1, (long)(options.BaselineWindow.TotalSeconds * time.TimestampFrequency / BaselineSlots));
        _slack = (long)(options.Slack.TotalSeconds * time.TimestampFrequency);
        Array.Fill(_bestSlot, long.MinValue);
    }

    public int Limit => Volatile.Read(ref _limit);

    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Admits a request within the limit; false means refuse it now.</summary>
    public bool TryAcquire()
    {
        var n = Interlocked.Increment(ref _inFlight);
        if (n > Volatile.Read(ref _limit))
        {
            Interlocked.Decrement(ref _inFlight);
            return false;
        }

        if (n > Volatile.Read(ref _peak))
        {
            Volatile.Write(ref _peak, n); // racy maximum: good enough to tell whether the limit is in use
        }

        return true;
    }

    /// <summary>Ends a request admitted at <paramref name="started"/> (a timestamp of the limiter's clock).</summary>
    public void Release(long started)
    {
        Interlocked.Decrement(ref _inFlight);
        if (!_options.IsAdaptive)
        {
            return;
        }

        var now = _time.GetTimestamp();
        if (now >= Volatile.Read(ref _windowEnd) && _gate.TryEnter())
        {
            try
            {
                Reconsider(now); // the window that ended, before this request counts towards the next
            }
            finally
            {
                _gate.Exit();
            }
        }

        Interlocked.Add(ref _sum, now - started);
        Interlocked.Increment(ref _samples);
    }

    /// <summary>Reconsiders the limit over the window so far (tests end windows with it, on a fake clock).</summary>
    internal void CloseWindow()
    {
        lock (_gate)
        {
            Volatile.Write(ref _windowEnd, 0);
            Reconsider(_time.GetTimestamp());
        }
    }

    public long Now() => _time.GetTimestamp();

    private void Reconsider(long now)
    {
        if (now < _windowEnd)
        {
            return;
        }

        if (Volatile.Read(ref _samples) < 5)
        {
            return; // too quiet to say anything yet: the window goes on until it has enough (a slow server's windows are longer)
        }

        _windowEnd = now + _window;
        var samples = Interlocked.Exchange(ref _samples, 0);
        var sum = Interlocked.Exchange(ref _sum, 0);
        var peak = Interlocked.Exchange(ref _peak, Volatile.Read(ref _inFlight));

        var mean = (double)sum / samples;
        var slot = now / _slot;
        var index = (int)(slot % BaselineSlots);
        if (_bestSlot[index] != slot || mean < _best[index])
        {
            _best[index] = _bestSlot[index] == slot ? Math.Min(_best[index], mean) : mean;
            _bestSlot[index] = slot;
        }

        var baseline = double.MaxValue;
        for (var i = 0; i < BaselineSlots; i++)
        {
            if (_bestSlot[i] != long.MinValue && slot - _bestSlot[i] < BaselineSlots)
            {
                baseline = Math.Min(baseline, _best[i]);
            }
        }

        var limit = _limit;
        if (mean > (_options.Tolerance * baseline) + _slack)
        {
            // Queueing: back off in proportion (a tenth when a little slow, half when far slower), as Gradient2 does.
            limit = Math.Max(_options.Min, (int)(limit * Math.Clamp(_options.Tolerance * baseline / mean, 0.5, 0.9)));
        }
        else if (peak * 2 >= limit)
        {
            limit = Math.Min(_options.Max, limit + Math.Max(1, (int)Math.Sqrt(limit))); // in use and fast: room to grow
        }

        Volatile.Write(ref _limit, limit);
    }
}
