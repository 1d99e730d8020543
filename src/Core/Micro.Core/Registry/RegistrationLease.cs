using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Micro.Registry;

/// <summary>
/// A registration kept alive: registered with a TTL, registered again every interval (which also brings it back after
/// a registry outage or a restart of the registry), and deregistered when the lease is released. The one mechanism
/// behind a server's node, an http broker subscription and a web app's registration.
/// </summary>
public sealed class RegistrationLease : IAsyncDisposable
{
    private readonly IRegistry _registry;
    private readonly TimeSpan _ttl;
    private readonly TimeSpan _interval;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _what;
    private readonly Action<Exception?>? _renewed;
    private readonly CancellationTokenSource _stop = new();
    private Task? _refreshing;
    private PeriodicTimer? _timer;
    private int _state; // 0 new, 1 held, 2 released

    /// <param name="what">What is registered, for log lines ("service greeter node greeter-1").</param>
    /// <param name="renewed">Told after every attempt: null when it succeeded, else the failure (health follows it).</param>
    public RegistrationLease(IRegistry registry, Service service, TimeSpan ttl, TimeSpan interval, string what,
        TimeProvider? timeProvider = null, ILogger? logger = null, Action<Exception?>? renewed = null)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(service);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        _registry = registry;
        Service = service;
        _ttl = ttl;
        _interval = interval;
        _what = what;
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        _renewed = renewed;
    }

    public Service Service { get; }

    /// <summary>Registers now (a failure throws and holds nothing), then keeps the registration alive in the background.</summary>
    public async Task AcquireAsync(CancellationToken cancellationToken = default)
    {
        Begin();
        try
        {
            await _registry.RegisterAsync(Service, _ttl, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            Volatile.Write(ref _state, 2);
            _timer?.Dispose();
            throw;
        }

        _renewed?.Invoke(null);
        _refreshing = Task.Run(() => RefreshAsync(registerFirst: false), CancellationToken.None);
    }

    /// <summary>Registers in the background, the first time included: a failure is logged and tried again each interval.</summary>
    public void Start()
    {
        Begin();
        _refreshing = Task.Run(() => RefreshAsync(registerFirst: true), CancellationToken.None);
    }

    /// <summary>Stops refreshing and deregisters; a failed deregistration is logged (the registration expires with its TTL).</summary>
    public async Task ReleaseAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _state, 2) != 1)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        if (_refreshing is not null)
        {
            await _refreshing.ConfigureAwait(false);
        }

        try
        {
            await _registry.DeregisterAsync(Service, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _logger.LogWarning(e, "Deregistering {What} failed; it expires after its TTL", _what);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await ReleaseAsync().ConfigureAwait(false);
        _stop.Dispose();
    }

    private void Begin()
    {
        if (Interlocked.CompareExchange(ref _state, 1, 0) != 0)
        {
            throw new InvalidOperationException($"The lease of {_what} was already taken.");
        }

        // The interval counts from now (made here, not on the background task, so time moved on a fake clock right
        // after taking the lease is never missed).
        _timer = new PeriodicTimer(_interval, _time);
    }

    private async Task RefreshAsync(bool registerFirst)
    {
        using var timer = _timer!;
        try
        {
            if (registerFirst)
            {
                await RenewAsync().ConfigureAwait(false);
            }

            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
            {
                await RenewAsync().ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
    }

    private async Task RenewAsync()
    {
        try
        {
            await _registry.RegisterAsync(Service, _ttl, _stop.Token).ConfigureAwait(false);
            _renewed?.Invoke(null);
        }
        catch (Exception) when (_stop.IsCancellationRequested)
        {
            // Released while renewing: the renewal was cut short however the registry's client reports it (etcd's gRPC
            // client throws an RpcException, not a cancellation); deregistering follows.
        }
        catch (Exception e)
        {
            // A registry that times out (an OperationCanceledException of its own) is a failure like any other.
            _renewed?.Invoke(e);
            _logger.LogWarning(e, "Registering {What} failed; trying again in {Interval}", _what, _interval);
        }
    }
}
