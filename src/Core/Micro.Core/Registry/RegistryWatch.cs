using Microsoft.Extensions.Logging;

namespace Micro.Registry;

/// <summary>A watch that outlives registry outages: every change goes to a handler; a failed watch is restarted after a pause.</summary>
public static class RegistryWatch
{
    /// <param name="registry">What to watch.</param>
    /// <param name="onChange">Runs for each change, in order.</param>
    /// <param name="logger">Where failures are said (once per failure, then the watch is retried).</param>
    /// <param name="who">Names the watcher in those log lines ("the dashboard").</param>
    /// <param name="cancellationToken">Ends the watch.</param>
    public static async Task RunAsync(IRegistry registry, Func<RegistryEvent, CancellationToken, Task> onChange, ILogger logger, string who, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(onChange);
        ArgumentNullException.ThrowIfNull(logger);
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await foreach (var change in registry.WatchAsync(null, cancellationToken).ConfigureAwait(false))
                {
                    await onChange(change, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // a broken watch must not end the watcher: say it and watch again
            catch (Exception e)
#pragma warning restore CA1031
            {
                logger.LogWarning("Registry watch for {Who} failed, retrying in 2 s: {Error}", who, e.Message);
            }

            try
            {
                await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
