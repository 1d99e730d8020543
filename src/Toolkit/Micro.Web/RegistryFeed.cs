using System.Text.Json;
using System.Threading.Channels;
using Micro.Registry;
using Microsoft.Extensions.Logging;

namespace Micro.Web;

/// <summary>
/// Watches the registry and pushes each change to every open dashboard (server-sent events), so pages update when
/// services come and go. A watch that fails (registry down) is restarted after a pause.
/// </summary>
internal sealed class RegistryFeed(IRegistry registry, ILogger logger) : IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly List<Channel<string>> _listeners = [];
    private readonly CancellationTokenSource _stop = new();
    private Task? _watching;

    /// <summary>Starts watching (once): from then on, changes reach every listener.</summary>
    public void Start()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_stop.IsCancellationRequested, this);
            _watching ??= Task.Run(WatchAsync);
        }
    }

    /// <summary>A new listener; each change arrives as the JSON of a <see cref="RegistryChange"/>. Slow listeners lose old changes, not memory.</summary>
    public Channel<string> Listen()
    {
        var channel = Channel.CreateBounded<string>(new BoundedChannelOptions(64) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
        lock (_gate)
        {
            _listeners.Add(channel);
        }

        return channel;
    }

    public void Forget(Channel<string> channel)
    {
        lock (_gate)
        {
            _listeners.Remove(channel);
        }
    }

    private Task WatchAsync() => RegistryWatch.RunAsync(registry, (change, _) =>
    {
        var json = JsonSerializer.Serialize(new RegistryChange(change.ActionName, change.Service.Name), DashboardJsonContext.Default.RegistryChange);
        lock (_gate)
        {
            foreach (var listener in _listeners)
            {
                listener.Writer.TryWrite(json);
            }
        }

        return Task.CompletedTask;
    }, logger, "the dashboard", _stop.Token);

    public async ValueTask DisposeAsync()
    {
        Task? watching;
        lock (_gate)
        {
            if (_stop.IsCancellationRequested)
            {
                return;
            }

            _stop.Cancel();
            watching = _watching;
        }

        if (watching is not null)
        {
            await watching.ConfigureAwait(false);
        }

        _stop.Dispose();
    }
}
