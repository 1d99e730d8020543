using Microsoft.Extensions.Logging;

namespace Micro.Bot.Xmpp;

/// <summary>
/// The bot in XMPP: direct messages are commands; in rooms, messages addressed to it ("micro: list services"). The user
/// is the sender's bare JID (in rooms, the occupant's real JID when the room tells it, else room/nick, which no allowed
/// list contains).
/// </summary>
/// <param name="options">Server, account and rooms.</param>
/// <param name="loggerFactory">Where connection problems are said (the input's and its clients' loggers).</param>
/// <param name="reconnect">How a lost connection comes back (<see cref="ReconnectPolicy.Default"/>).</param>
/// <param name="time">The clock the backoff waits on.</param>
public sealed class XmppInput(XmppOptions options, ILoggerFactory? loggerFactory = null, ReconnectPolicy? reconnect = null, TimeProvider? time = null) : IBotInput
{
    private readonly ILoggerFactory _loggers = loggerFactory ?? Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance;
    private readonly ILogger _logger = (loggerFactory ?? Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance).CreateLogger<XmppInput>();
    private readonly CancellationTokenSource _disposed = new();
    private XmppClient? _client;

    public string Name => "xmpp";

    /// <summary>Signs in, answers until the connection is lost, and signs in again (a new client each time).</summary>
    public Task RunAsync(Func<BotMessage, CancellationToken, Task<string>> answer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(answer);
        return RunUntilDisposedAsync(answer, cancellationToken);
    }

    private async Task RunUntilDisposedAsync(Func<BotMessage, CancellationToken, Task<string>> answer, CancellationToken cancellationToken)
    {
        using var running = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _disposed.Token); // disposing stops it too
        await (reconnect ?? ReconnectPolicy.Default).RunAsync("XMPP", async (signedIn, ct) =>
        {
            var client = new XmppClient(options, _loggers.CreateLogger<XmppClient>());
            var previous = Interlocked.Exchange(ref _client, client);
            if (previous is not null)
            {
                await previous.DisposeAsync().ConfigureAwait(false);
            }

            try
            {
                await client.ConnectAsync(ct).ConfigureAwait(false);
                signedIn();
                await ServeAsync(client, answer, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (ct.IsCancellationRequested && e is OperationCanceledException or IOException or ObjectDisposedException)
            {
                // stopped while signing in or reading: the connection was closed on purpose
            }
        }, _logger, time ?? TimeProvider.System, running.Token).ConfigureAwait(false);
    }

    private async Task ServeAsync(XmppClient client, Func<BotMessage, CancellationToken, Task<string>> answer, CancellationToken cancellationToken)
    {
        await foreach (var message in client.Messages.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            var text = message.Body.Trim();
            if (message.InRoom)
            {
                if (!text.StartsWith(options.Nick, StringComparison.OrdinalIgnoreCase))
                {
                    continue; // room talk not meant for the bot
                }

                text = text[options.Nick.Length..].TrimStart(':', ',', ' ');
            }

            var reply = await answer(new BotMessage(Name, message.RealJid ?? message.From, text), cancellationToken).ConfigureAwait(false);
            if (reply.Length > 0)
            {
                await client.SendAsync(message.ReplyTo, reply, message.InRoom, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_disposed.IsCancellationRequested)
        {
            await _disposed.CancelAsync().ConfigureAwait(false);
        }

        if (Interlocked.Exchange(ref _client, null) is { } client)
        {
            await client.DisposeAsync().ConfigureAwait(false);
        }
    }
}
