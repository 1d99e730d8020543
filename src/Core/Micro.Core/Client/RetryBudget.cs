using System.Collections.Concurrent;

namespace Micro.Client;

/// <summary>
/// One client's retry budgets, one per service (<see cref="RetryBudgetOptions"/>). Counting a call is one interlocked
/// increment; asking for a retry (only after a failure) takes the service's lock. The number of services tracked is
/// capped, so callers naming endless services (a gateway's clients choose them) share one budget past the cap instead
/// of growing memory.
/// </summary>
internal sealed class RetryBudget(RetryBudgetOptions options, TimeProvider time)
{
    internal const int MaxServices = 4096;
    private const int Buckets = 10;

    private readonly ConcurrentDictionary<string, ServiceBudget> _services = new(StringComparer.Ordinal);
    private readonly long _bucketTicks = Math.Max(1, (long)(options.Window.TotalSeconds * time.TimestampFrequency / Buckets));
    private ServiceBudget? _overflow;

    /// <summary>Counts a call to <paramref name="service"/> (its first attempt).</summary>
    public void RecordCall(string service) => For(service).RecordCall(Now());

    /// <summary>True (and counted) when a retry to <paramref name="service"/> fits the budget.</summary>
    public bool TryRetry(string service) => For(service).TryRetry(Now(), options);

    private long Now() => time.GetTimestamp() / _bucketTicks;

    private ServiceBudget For(string service)
    {
        if (_services.TryGetValue(service, out var budget))
        {
            return budget;
        }

        return _services.Count < MaxServices
            ? _services.GetOrAdd(service, static _ => new ServiceBudget())
            : _overflow ??= new ServiceBudget();
    }

    /// <summary>Calls and retries in a ring of buckets, each a tenth of the window; a bucket is cleared when reused.</summary>
    private sealed class ServiceBudget
    {
        private readonly long[] _stamp = new long[Buckets];
        private readonly long[] _calls = new long[Buckets];
        private readonly long[] _retries = new long[Buckets];
        private readonly Lock _gate = new();

        public void RecordCall(long bucket)
        {
            var slot = (int)(bucket % Buckets);
            if (Volatile.Read(ref _stamp[slot]) != bucket)
            {
                Rotate(slot, bucket);
            }

            Interlocked.Increment(ref _calls[slot]);
        }

        public bool TryRetry(long bucket, RetryBudgetOptions options)
        {
            lock (_gate)
            {
                long calls = 0, retries = 0;
                for (var i = 0; i < Buckets; i++)
                {
                    if (bucket - Volatile.Read(ref _stamp[i]) < Buckets)
                    {
                        calls += Volatile.Read(ref _calls[i]);
                        retries += Volatile.Read(ref _retries[i]);
                    }
                }

                var allowed = Math.Max(options.Ratio * calls, options.MinRetriesPerSecond * options.Window.TotalSeconds);
                if (retries + 1 > allowed)
                {
                    return false;
                }

                var slot = (int)(bucket % Buckets);
                if (_stamp[slot] != bucket)
                {
                    RotateLocked(slot, bucket);
                }

                _retries[slot]++;
                return true;
            }
        }

        private void Rotate(int slot, long bucket)
        {
            lock (_gate)
            {
                if (_stamp[slot] != bucket)
                {
                    RotateLocked(slot, bucket);
                }
            }
        }

        private void RotateLocked(int slot, long bucket)
        {
            Volatile.Write(ref _calls[slot], 0);
            Volatile.Write(ref _retries[slot], 0);
            Volatile.Write(ref _stamp[slot], bucket);
        }
    }
}
