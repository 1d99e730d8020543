using Microsoft.Extensions.Logging;

namespace Micro.Bot;

/// <summary>
/// How a chat input comes back after its connection is lost: again after 1 s, doubling to 60 s, and after
/// <see cref="GiveUpAfter"/> failures in a row (none signed in between) it gives up with an error, so <c>micro bot</c>
/// exits non-zero instead of idling or exiting 0 with nobody listening.
/// </summary>
public sealed record ReconnectPolicy
{
    public static ReconnectPolicy Default { get; } = new();

    public TimeSpan FirstDelay { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(60);

    public int GiveUpAfter { get; init; } = 10;

    /// <summary>
    /// Runs <paramref name="connection"/> until cancelled: it returns (or throws a connection error) when its connection is
    /// lost, and is run again after the backoff. A sign-in it reached resets the count. What is not a connection error
    /// (a refused password: <see cref="InvalidOperationException"/>) ends it at once.
    /// </summary>
    /// <param name="connection">One connection's life; it calls the given action once it is signed in.</param>
    internal async Task RunAsync(string name, Func<Action, CancellationToken, Task> connection, ILogger logger, TimeProvider time, CancellationToken cancellationToken)
    {
        var failures = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            var signedIn = false;
            string reason;
            try
            {
                await connection(() => signedIn = true, cancellationToken).ConfigureAwait(false);
                reason = "the server closed the connection";
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or System.Net.WebSockets.WebSocketException or HttpRequestException or System.Xml.XmlException or TimeoutException
                                      || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                reason = e.Message;
            }

            if (cancellationToken.IsCancellationRequested)
            {
                return;
            }

            failures = signedIn ? 1 : failures + 1;
            if (failures >= GiveUpAfter)
            {
                throw new InvalidOperationException($"{name}: gave up after {failures} attempts to reconnect in a row; the last: {reason}");
            }

            var wait = TimeSpan.FromTicks(Math.Min(MaxDelay.Ticks, FirstDelay.Ticks * (1L << Math.Min(failures - 1, 20))));
            logger.LogWarning("{Input}: connection lost ({Reason}); reconnecting in {Seconds:0.#} s (attempt {Attempt} of {Max})", name, reason, wait.TotalSeconds, failures, GiveUpAfter);
            await Task.Delay(wait, time, cancellationToken).ConfigureAwait(false);
        }
    }
}
