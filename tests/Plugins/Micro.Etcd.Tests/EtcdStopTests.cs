using Microsoft.Extensions.Logging;
using Micro.Selector;

namespace Micro.Etcd.Tests;

/// <summary>A watch ended by our own stop is not an outage: nothing is logged above Debug.</summary>
[Collection(EtcdCollection.Name)]
public sealed class EtcdStopTests(EtcdFixture etcd)
{
    private sealed class Recorder<T> : ILogger<T>
    {
        public List<(LogLevel Level, string Message)> Lines { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (Lines)
            {
                Lines.Add((logLevel, formatter(state, exception)));
            }
        }
    }

    [Fact]
    public async Task Stopping_a_watch_and_the_selector_over_it_logs_no_warning()
    {
        var registryLog = new Recorder<EtcdRegistry>();
        var selectorLog = new Recorder<RegistrySelector>();
        await using var registry = new EtcdRegistry([etcd.Server.Address], registryLog);
        var selector = new RegistrySelector(registry, logger: selectorLog);
        await registry.RegisterAsync(new Micro.Registry.Service { Name = "stopping", Nodes = [new Micro.Registry.Node { Id = "s-1", Address = "127.0.0.1:9000" }] }, TimeSpan.FromMinutes(1));
        Assert.Single(await selector.GetNodesAsync("stopping")); // the selector's watch is running

        using var stop = new CancellationTokenSource();
        var open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var watch = registry.WatchAsync("stopping", open.SetResult, stop.Token).GetAsyncEnumerator(stop.Token);
        var next = watch.MoveNextAsync().AsTask();
        await open.Task.WaitAsync(TimeSpan.FromSeconds(30)); // etcd said the watch is created
        await stop.CancelAsync();
        Assert.False(await next.WaitAsync(TimeSpan.FromSeconds(30)));
        await watch.DisposeAsync();
        await selector.DisposeAsync();

        Assert.DoesNotContain(registryLog.Lines, l => l.Level > LogLevel.Debug);
        Assert.DoesNotContain(selectorLog.Lines, l => l.Level > LogLevel.Debug);
    }
}
