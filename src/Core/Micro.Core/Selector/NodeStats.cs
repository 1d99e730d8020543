namespace Micro.Selector;

/// <summary>
/// What the selector knows of one node from the attempts made to it: attempts in flight, a peak-sensitive moving
/// average of latency (Finagle's and Linkerd's peak EWMA: a slower answer raises it at once, faster ones lower it over
/// <see cref="SelectorOptions.LatencyDecay"/>, or by an eighth each, whichever is faster), consecutive failures, this interval's counts, and its ejection state
/// (a per-node circuit: closed, open while ejected, half-open while one probe is out). Kept across registry refreshes.
/// </summary>
public sealed class NodeStats
{
    private readonly NodeClock _clock;
    private int _inFlight;
    private double _cost; // peak EWMA latency in timestamp ticks
    private long _costStamp;
    private int _consecutiveFailures;
    private int _requests;
    private int _failures;

    // Ejection, changed under the service's lock in OutlierDetector (rare); read without it.
    internal long EjectedUntil; // timestamp; 0 when not ejected
    internal long ProbeClaimedAt; // timestamp of the probe in flight while half-open; 0 when none
    internal long ReturnedAt; // when the last ejection ended with a good probe
    internal int EjectionCount;

    internal NodeStats(NodeClock clock) => _clock = clock;

    /// <summary>Attempts to this node not yet ended.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Consecutive attempts that were the node's fault.</summary>
    public int ConsecutiveFailures => Volatile.Read(ref _consecutiveFailures);

    /// <summary>Times the node was ejected (less one for every ejection time it stayed healthy since).</summary>
    public int Ejections => Volatile.Read(ref EjectionCount);

    /// <summary>True while the node is ejected or waiting for its probe (the circuit is open or half-open).</summary>
    public bool IsEjected => Volatile.Read(ref EjectedUntil) != 0;

    /// <summary>The latency average now (zero before the first answer).</summary>
    public TimeSpan Latency => _clock.ToTimeSpan(Cost(_clock.Now()));

    /// <summary>
    /// What a load-aware strategy minimises: the latency average times the attempts in flight plus one, so a node that
    /// is slow, or busy with many calls, scores high. Unknown nodes score lowest and are tried first.
    /// </summary>
    public double Load => (Cost(_clock.Now()) + 1) * (InFlight + 1);

    /// <summary>The latency average now, in timestamp ticks (0 before the first answer).</summary>
    internal double CostNow() => Cost(_clock.Now());

    internal void Begin() => Interlocked.Increment(ref _inFlight);

    /// <summary>Ends an attempt; returns the consecutive failures so far.</summary>
    internal int End(NodeOutcome outcome, long elapsedTicks, long now)
    {
        Interlocked.Decrement(ref _inFlight);
        if (outcome == NodeOutcome.Abandoned)
        {
            return Volatile.Read(ref _consecutiveFailures);
        }

        // A failure or a refusal costs at least the penalty: a node that refuses at once must not look fast.
        Observe(outcome is NodeOutcome.Success or NodeOutcome.Slow ? elapsedTicks : Math.Max(elapsedTicks, _clock.FailurePenalty), now);
        if (outcome == NodeOutcome.Refused)
        {
            return Volatile.Read(ref _consecutiveFailures);
        }

        Interlocked.Increment(ref _requests);

        if (outcome == NodeOutcome.Success)
        {
            if (Volatile.Read(ref _consecutiveFailures) != 0)
            {
                Volatile.Write(ref _consecutiveFailures, 0);
            }

            return 0;
        }

        Interlocked.Increment(ref _failures);
        return Interlocked.Increment(ref _consecutiveFailures);
    }

    /// <summary>The latency average as of <paramref name="now"/>, decayed towards zero since the last answer, so a node long unused is tried again.</summary>
    internal double Cost(long now)
    {
        var cost = Volatile.Read(ref _cost);
        var age = now - Volatile.Read(ref _costStamp);
        return cost <= 0 || age <= 0 ? cost : cost * Math.Exp(-age / _clock.DecayTicks);
    }

    /// <summary>This interval's attempts and failures, and starts the next interval.</summary>
    internal (int Requests, int Failures) TakeInterval()
        => (Interlocked.Exchange(ref _requests, 0), Interlocked.Exchange(ref _failures, 0));

    internal void ResetFailures() => Volatile.Write(ref _consecutiveFailures, 0);

    private void Observe(long rtt, long now)
    {
        // Races between threads lose an update at worst; the average stays an average.
        // The weight of the past decays with time, and by at least an eighth per answer: under load a single spike (a
        // connection set up, a pause) is forgotten within a few dozen answers, not held for the whole decay time.
        var w = Math.Min(Math.Exp(-Math.Max(0, now - Volatile.Read(ref _costStamp)) / _clock.DecayTicks), 0.875);
        var cost = Volatile.Read(ref _cost);
        var next = rtt > cost ? rtt : (cost * w) + (rtt * (1 - w));
        Volatile.Write(ref _cost, next <= 0 ? 1 : next);
        Volatile.Write(ref _costStamp, now);
    }
}
