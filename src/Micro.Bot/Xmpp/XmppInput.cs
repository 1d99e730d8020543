using Microsoft.Extensions.Logging;

namespace Micro.Bot.Xmpp;

/// <summary>
/// The bot in XMPP: direct messages are commands; in rooms, messages addressed to it ("micro: list services"). The user
/// is the sender's bare JID (in rooms, the occupant's real JID when the room tells it, else room/nick, which no allowed
/// list contains).
/// </summary>
public sealed class XmppInput(XmppOptions options, ILogger? logger = null) : IBotInput
{
    private readonly XmppClient _client = new(options, logger);

    public string Name => "xmpp";

    public async Task RunAsync(Func<BotMessage, CancellationToken, Task<string>> answer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(answer);
        try
        {
            await _client.ConnectAsync(cancellationToken).ConfigureAwait(false);
            await foreach (var message in _client.Messages.ReadAllAsync(cancellationToken).ConfigureAwait(false))
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
                    await _client.SendAsync(message.ReplyTo, reply, message.InRoom, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (Exception e) when (cancellationToken.IsCancellationRequested && e is OperationCanceledException or IOException or ObjectDisposedException)
        {
            // stopped while signing in or reading: the connection was closed on purpose
        }
    }

    public ValueTask DisposeAsync() => _client.DisposeAsync();
}
