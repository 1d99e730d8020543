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

    public void Start() => _watching = Task.Run(WatchAsync);

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
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_watching is not null)
        {
            await _watching.ConfigureAwait(false);
        }

        _stop.Dispose();
    }
}
