namespace Micro.Broker;

/// <summary>
/// How many of a subscription's messages are handled at once (<see cref="SubscribeOptions.MaxConcurrency"/>), shared by
/// every broker: the receiving loop awaits <see cref="WaitAsync"/> before it takes the next message, so a subscriber
/// whose handlers are all busy stops taking messages and the broker holds the rest (within the prefetch it was given,
/// or on the server): a slow consumer never grows memory. With one slot (the default) messages are handled in order.
/// </summary>
public sealed class DeliveryGate
{
    private readonly SemaphoreSlim _slots;
    private readonly TaskCompletionSource _idle = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _running;
    private int _peak;
    private bool _closing;

    public DeliveryGate(int maxConcurrency)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxConcurrency, 1);
        MaxConcurrency = maxConcurrency;
        _slots = new SemaphoreSlim(maxConcurrency, maxConcurrency);
    }

    public int MaxConcurrency { get; }

    /// <summary>Handlers running now.</summary>
    public int Running => Volatile.Read(ref _running);

    /// <summary>The most handlers that ever ran at once.</summary>
    public int Peak => Volatile.Read(ref _peak);

    /// <summary>Waits for a free slot; the next message may be taken once it returns.</summary>
    public ValueTask WaitAsync(CancellationToken cancellationToken = default)
        => _slots.Wait(0, CancellationToken.None) ? ValueTask.CompletedTask : new(_slots.WaitAsync(cancellationToken));

    /// <summary>
    /// Runs one delivery in the slot taken by <see cref="WaitAsync"/>, which it frees when done; failures are the
    /// delivery's own to handle. The loop goes on at once; a caller that must answer after it (an HTTP request) awaits the task.
    /// </summary>
    public Task Run(Func<ValueTask> delivery)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        var running = Interlocked.Increment(ref _running);
        for (var peak = Volatile.Read(ref _peak); running > peak && Interlocked.CompareExchange(ref _peak, running, peak) != peak; peak = Volatile.Read(ref _peak))
        {
        }

        return RunAsync(delivery);
    }

    /// <summary>Completes once every delivery started has ended (after the loop stopped taking messages).</summary>
    public Task DrainAsync()
    {
        Volatile.Write(ref _closing, true);
        if (Volatile.Read(ref _running) == 0)
        {
            _idle.TrySetResult();
        }

        return _idle.Task;
    }

    private async Task RunAsync(Func<ValueTask> delivery)
    {
        try
        {
            await delivery().ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Deliveries.DeliverAsync settles every outcome itself; anything else escaping must not end the loop.
        }
        finally
        {
            _slots.Release();
            if (Interlocked.Decrement(ref _running) == 0 && Volatile.Read(ref _closing))
            {
                _idle.TrySetResult();
            }
        }
    }
}
