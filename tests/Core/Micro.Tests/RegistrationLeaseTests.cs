using System.Threading.Channels;
using Micro.Registry;
using Microsoft.Extensions.Time.Testing;

namespace Micro.Tests;

/// <summary>The one registration lease (server nodes, http broker subscriptions, web apps), on a fake clock: no real-time waits.</summary>
public sealed class RegistrationLeaseTests
{
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20); // an upper bound on a background step, never a delay

    [Fact]
    public async Task A_lease_registers_at_once_renews_every_interval_and_deregisters_on_release()
    {
        var time = new FakeTimeProvider();
        var registry = new CountingRegistry(new MemoryRegistry(timeProvider: time));
        await using var lease = new RegistrationLease(registry, Service("leased"), Ttl, Interval, "test node", time);

        await lease.AcquireAsync();
        Assert.Equal(1, await registry.NextRegistrationAsync());
        Assert.Single(await registry.GetServiceAsync("leased"));

        time.Advance(Interval);
        Assert.Equal(2, await registry.NextRegistrationAsync());
        time.Advance(Interval);
        Assert.Equal(3, await registry.NextRegistrationAsync());
        // Renewed before the TTL ran out: still there 90 s after the first registration, with a 60 s TTL.
        time.Advance(Interval);
        Assert.Equal(4, await registry.NextRegistrationAsync());
        Assert.Single(await registry.GetServiceAsync("leased"));

        await lease.ReleaseAsync();
        Assert.Empty(await registry.GetServiceAsync("leased"));
        time.Advance(Interval * 4);
        Assert.Equal(4, registry.Registrations); // released: nothing renews it again
    }

    [Fact]
    public async Task Releasing_while_a_renewal_is_cut_short_with_an_error_of_the_registrys_own_still_deregisters()
    {
        var time = new FakeTimeProvider();
        var registry = new HangingRegistry(new MemoryRegistry(timeProvider: time));
        var lease = new RegistrationLease(registry, Service("cut"), Ttl, Interval, "test node", time);
        lease.Start(); // the first registration hangs until the lease is released, then fails the way etcd's client does
        await registry.Hanging.Task.WaitAsync(Wait);

        await lease.ReleaseAsync().WaitAsync(Wait); // no exception out of the cut-short renewal
        Assert.True(registry.Deregistered);
        await lease.DisposeAsync();
    }

    /// <summary>Registration waits for its token, then throws what a gRPC client throws on cancellation: not an OperationCanceledException.</summary>
    private sealed class HangingRegistry(IRegistry inner) : DelegatingRegistry(inner)
    {
        public TaskCompletionSource Hanging { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool Deregistered { get; private set; }

        public override async ValueTask RegisterAsync(Service service, TimeSpan ttl, CancellationToken cancellationToken = default)
        {
            Hanging.TrySetResult();
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                throw new InvalidOperationException("Status(StatusCode=\"Cancelled\", Detail=\"the call was cancelled\")");
            }
        }

        public override ValueTask DeregisterAsync(Service service, CancellationToken cancellationToken = default)
        {
            Deregistered = true;
            return base.DeregisterAsync(service, cancellationToken);
        }
    }

    [Fact]
    public async Task After_a_registry_outage_the_next_renewal_brings_the_registration_back_and_says_so()
    {
        var time = new FakeTimeProvider();
        var registry = new CountingRegistry(new MemoryRegistry(timeProvider: time));
        var outcomes = Channel.CreateUnbounded<Exception?>();
        await using var lease = new RegistrationLease(registry, Service("outage"), Ttl, Interval, "test node", time, renewed: e => outcomes.Writer.TryWrite(e));
        await lease.AcquireAsync();
        Assert.Null(await outcomes.Reader.ReadAsync());

        registry.Down = true;
        time.Advance(Interval);
        Assert.IsType<MicroException>(await outcomes.Reader.ReadAsync().AsTask().WaitAsync(Wait));
        time.Advance(Interval);
        Assert.IsType<MicroException>(await outcomes.Reader.ReadAsync().AsTask().WaitAsync(Wait));
        // 60 s without a renewal: the TTL ran out, the registry forgot the node.
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Empty(await registry.Inner.GetServiceAsync("outage"));

        registry.Down = false;
        time.Advance(Interval);
        Assert.Null(await outcomes.Reader.ReadAsync().AsTask().WaitAsync(Wait));
        Assert.Single(await registry.GetServiceAsync("outage"));
    }

    [Fact]
    public async Task A_failed_first_registration_throws_and_leaves_nothing_running()
    {
        var time = new FakeTimeProvider();
        var registry = new CountingRegistry(new MemoryRegistry(timeProvider: time)) { Down = true };
        await using var lease = new RegistrationLease(registry, Service("never"), Ttl, Interval, "test node", time);
        await Assert.ThrowsAsync<MicroException>(() => lease.AcquireAsync());
        var attempts = registry.Attempts;
        registry.Down = false;
        time.Advance(Interval * 3);
        Assert.Equal(attempts, registry.Attempts); // no background renewal of a lease never taken
        Assert.Empty(await registry.GetServiceAsync("never"));
    }

    [Fact]
    public async Task A_lease_started_in_the_background_keeps_trying_until_the_registry_is_back()
    {
        var time = new FakeTimeProvider();
        var registry = new CountingRegistry(new MemoryRegistry(timeProvider: time)) { Down = true };
        var outcomes = Channel.CreateUnbounded<Exception?>();
        await using var lease = new RegistrationLease(registry, Service("web"), Ttl, Interval, "web app", time, renewed: e => outcomes.Writer.TryWrite(e));
        lease.Start();
        Assert.NotNull(await outcomes.Reader.ReadAsync().AsTask().WaitAsync(Wait)); // the first try, at once
        registry.Down = false;
        time.Advance(Interval);
        Assert.Null(await outcomes.Reader.ReadAsync().AsTask().WaitAsync(Wait));
        Assert.Single(await registry.GetServiceAsync("web"));
    }

    private static Service Service(string name) => new() { Name = name, Nodes = [new Node { Id = name + "-1", Address = "127.0.0.1:1" }] };

    /// <summary>A registry that counts registrations, can be taken down, and lets a test wait for the next registration.</summary>
    private sealed class CountingRegistry(MemoryRegistry inner) : IRegistry
    {
        private readonly Channel<int> _registered = Channel.CreateUnbounded<int>();
        private int _registrations;
        private int _attempts;

        public MemoryRegistry Inner => inner;

        public volatile bool Down;

        public int Registrations => Volatile.Read(ref _registrations);

        public int Attempts => Volatile.Read(ref _attempts);

        public string Name => "counting";

        public async Task<int> NextRegistrationAsync() => await _registered.Reader.ReadAsync().AsTask().WaitAsync(Wait);

        public async ValueTask RegisterAsync(Service service, TimeSpan ttl, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _attempts);
            if (Down)
            {
                throw MicroException.Unavailable("test.registry", "registry down");
            }

            await inner.RegisterAsync(service, ttl, cancellationToken);
            _registered.Writer.TryWrite(Interlocked.Increment(ref _registrations));
        }

        public ValueTask DeregisterAsync(Service service, CancellationToken cancellationToken = default) => inner.DeregisterAsync(service, cancellationToken);

        public ValueTask<IReadOnlyList<Service>> GetServiceAsync(string name, CancellationToken cancellationToken = default) => inner.GetServiceAsync(name, cancellationToken);

        public ValueTask<IReadOnlyList<Service>> ListServicesAsync(CancellationToken cancellationToken = default) => inner.ListServicesAsync(cancellationToken);

        public IAsyncEnumerable<RegistryEvent> WatchAsync(string? service, Action? established, CancellationToken cancellationToken = default) => inner.WatchAsync(service, established, cancellationToken);

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
