namespace Micro.Selector;

/// <summary>
/// What the selector knows of one node from the attempts made to it: attempts in flight, a peak-sensitive moving
/// average of latency (Finagle's and Linkerd's peak EWMA: a slower answer raises it at once, to at most twice what it
/// was, faster ones lower it over <see cref="SelectorOptions.LatencyDecay"/>, or by an eighth each, whichever is
/// faster; the first <see cref="WarmAnswers"/> answers set it as their mean), consecutive failures, this interval's counts, and its ejection state
/// (a per-node circuit: closed, open while ejected, half-open while one probe is out). Kept across registry refreshes.
/// </summary>
public sealed class NodeStats
{
    /// <summary>
    /// Answers before the average is trusted: until then a load-aware strategy counts the node as fast as the other.
    /// A node's first answer is often its slowest (a connection set up, code compiled), and taken as a peak it kept a
    /// fast node out for seconds while a slower one took its calls.
    /// </summary>
    public const int WarmAnswers = 8;

    private readonly NodeClock _clock;
    private int _inFlight;
    private int _answers; // up to WarmAnswers
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

    /// <summary>Whether the node has answered <see cref="WarmAnswers"/> times, so its average says what it is.</summary>
    public bool IsWarm => Volatile.Read(ref _answers) >= WarmAnswers;

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
        var cost = Volatile.Read(ref _cost);
        var answers = Volatile.Read(ref _answers);
        double next;
        if (answers < WarmAnswers)
        {
            next = cost + ((rtt - cost) / (answers + 1)); // the mean of the first answers
            Volatile.Write(ref _answers, answers + 1);
        }
        else
        {
            // A slower answer raises the average at once, but at most to twice what it was: one pause (a collection, a
            // descheduled thread) does not make a fast node look slow for the decay time in which it gets no calls to
            // show otherwise; a node that really turned slow shows it within a few answers.
            var w = Math.Min(Math.Exp(-Math.Max(0, now - Volatile.Read(ref _costStamp)) / _clock.DecayTicks), 0.875);
            next = rtt > cost ? Math.Min(rtt, 2 * cost) : (cost * w) + (rtt * (1 - w));
        }

        Volatile.Write(ref _cost, next <= 0 ? 1 : next);
        Volatile.Write(ref _costStamp, now);
    }
}
