namespace Micro.Selector;

/// <summary>The selector's clock for node statistics: timestamps from its <see cref="TimeProvider"/> and the latency model's constants in their ticks.</summary>
internal sealed class NodeClock(TimeProvider time, SelectorOptions options)
{
    public TimeProvider Time { get; } = time;

    public double DecayTicks { get; } = Math.Max(1, options.LatencyDecay.TotalSeconds * time.TimestampFrequency);

    /// <summary>What a failed attempt counts as in the latency average at least (a second).</summary>
    public long FailurePenalty { get; } = time.TimestampFrequency;

    public long Now() => Time.GetTimestamp();

    public long Ticks(TimeSpan span) => (long)(span.TotalSeconds * Time.TimestampFrequency);

    public TimeSpan ToTimeSpan(double ticks) => TimeSpan.FromSeconds(ticks / Time.TimestampFrequency);
}
