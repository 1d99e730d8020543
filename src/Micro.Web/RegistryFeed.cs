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

    private async Task WatchAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await foreach (var change in registry.WatchAsync(null, _stop.Token).ConfigureAwait(false))
                {
                    var json = JsonSerializer.Serialize(new RegistryChange(change.ActionName, change.Service.Name), DashboardJsonContext.Default.RegistryChange);
                    lock (_gate)
                    {
                        foreach (var listener in _listeners)
                        {
                            listener.Writer.TryWrite(json);
                        }
                    }
                }
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // a broken watch must not end the feed: log and watch again
            catch (Exception e)
#pragma warning restore CA1031
            {
                logger.LogWarning("Registry watch for the dashboard failed, retrying in 2 s: {Error}", e.Message);
            }

            try
            {
                await Task.Delay(TimeSpan.FromSeconds(2), _stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

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
