using System.Threading.Channels;
using System.Xml.Linq;
using Micro.Transport.Tcp;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Micro.Bot.Xmpp;

/// <summary>
/// An XMPP client written against RFC 6120/6121 and XEP-0045: STARTTLS (required), SASL SCRAM-SHA-256/SCRAM-SHA-1 or
/// PLAIN (only over TLS), resource binding, presence, direct messages, multi-user chat rooms (joined, instant rooms
/// configured when we create them), pings answered, other queries refused politely.
/// </summary>
public sealed class XmppClient : IAsyncDisposable
{
    private const string Sasl = "urn:ietf:params:xml:ns:xmpp-sasl";
    private const string Tls = "urn:ietf:params:xml:ns:xmpp-tls";
    private const string Bind = "urn:ietf:params:xml:ns:xmpp-bind";
    private const string MucUser = "http://jabber.org/protocol/muc#user";
    private readonly XmppOptions _options;
    private readonly ILogger _logger;
    private readonly Channel<XmppMessage> _messages = Channel.CreateBounded<XmppMessage>(new BoundedChannelOptions(256) { FullMode = BoundedChannelFullMode.DropOldest });
    private readonly Dictionary<string, string> _occupants = new(StringComparer.OrdinalIgnoreCase); // room/nick -> real bare JID
    private readonly CancellationTokenSource _stop = new();
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> _joinAttempts = new(StringComparer.OrdinalIgnoreCase);
    private XmppConnection? _connection;
    private Task? _reading;
    private Task? _keepAlive;
    private int _ids;

    public XmppClient(XmppOptions options, ILogger<XmppClient>? logger = null)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        if (!_options.Jid.Contains('@', StringComparison.Ordinal))
        {
            throw new ArgumentException($"--xmpp_jid '{_options.Jid}' is not an account like bot@example.com");
        }
    }

    /// <summary>The SASL mechanism the sign-in used.</summary>
    public string Mechanism { get; private set; } = "";

    /// <summary>The full JID the server bound (user@domain/resource).</summary>
    public string BoundJid { get; private set; } = "";

    public ChannelReader<XmppMessage> Messages => _messages.Reader;

    public async Task ConnectAsync(CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.ConnectTimeout);
        var ct = timeout.Token;
        var (user, domain) = (_options.Jid[.._options.Jid.IndexOf('@', StringComparison.Ordinal)], _options.Jid[(_options.Jid.IndexOf('@', StringComparison.Ordinal) + 1)..]);
        var (host, port) = _options.Address.Contains(':', StringComparison.Ordinal) ? TcpAddress.Split(_options.Address) : (_options.Address, 5222);
        var connection = await XmppConnection.ConnectAsync(host, port, domain, ct).ConfigureAwait(false);
        _connection = connection;
        var features = await connection.OpenStreamAsync(ct).ConfigureAwait(false);

        // RFC 6120 §5: TLS first; a server that cannot do it is refused, credentials never travel in the clear.
        if (features.Element(XName.Get("starttls", Tls)) is null)
        {
            throw new InvalidOperationException($"{_options.Address} does not offer STARTTLS; refusing to send credentials unencrypted");
        }

        await connection.WriteAsync($"<starttls xmlns='{Tls}'/>", ct).ConfigureAwait(false);
        var answer = await connection.ReadAsync(ct).ConfigureAwait(false);
        if (answer?.Name != XName.Get("proceed", Tls))
        {
            throw new InvalidOperationException("the server refused STARTTLS");
        }

        await connection.StartTlsAsync(_options.TrustedCertificate, ct).ConfigureAwait(false);
        features = await connection.OpenStreamAsync(ct).ConfigureAwait(false);

        // RFC 6120 §6: SASL, the strongest mechanism both sides have.
        var offered = features.Element(XName.Get("mechanisms", Sasl))?.Elements(XName.Get("mechanism", Sasl)).Select(m => m.Value).ToHashSet() ?? [];
        await AuthenticateAsync(connection, offered, user, ct).ConfigureAwait(false);
        features = await connection.OpenStreamAsync(ct).ConfigureAwait(false);

        // RFC 6120 §7: bind a resource; the legacy session only when the server requires it.
        var bound = await IqAsync(connection, "set", null, new XElement(XName.Get("bind", Bind), new XElement(XName.Get("resource", Bind), _options.Resource)), ct).ConfigureAwait(false);
        BoundJid = bound.Descendants(XName.Get("jid", Bind)).FirstOrDefault()?.Value ?? $"{_options.Jid}/{_options.Resource}";
        var session = features.Element(XName.Get("session", "urn:ietf:params:xml:ns:xmpp-session"));
        if (session is not null && session.Element(XName.Get("optional", "urn:ietf:params:xml:ns:xmpp-session")) is null)
        {
            await IqAsync(connection, "set", null, new XElement(XName.Get("session", "urn:ietf:params:xml:ns:xmpp-session")), ct).ConfigureAwait(false);
        }

        // RFC 6121 §4: available presence, then the rooms (XEP-0045 §7.2).
        await connection.WriteAsync("<presence/>", ct).ConfigureAwait(false);
        _reading = Task.Run(() => ReadLoopAsync(connection));
        foreach (var room in _options.Rooms)
        {
            await JoinRoomAsync(room, ct).ConfigureAwait(false);
        }

        _keepAlive = Task.Run(KeepAliveAsync);
        _logger.LogInformation("XMPP: signed in as {Jid} at {Address}{Rooms}", BoundJid, _options.Address, _options.Rooms.Count > 0 ? ", rooms " + string.Join(", ", _options.Rooms) : "");
    }

    public Task JoinRoomAsync(string room, CancellationToken cancellationToken = default)
    {
        _joinAttempts.TryAdd(room, 0); // a refusal of this join is retried (see the presence errors)
        return JoinAsync(room, cancellationToken);
    }

    private Task JoinAsync(string room, CancellationToken cancellationToken)
        => Connection.WriteAsync(new XElement("presence", new XAttribute("to", $"{room}/{_options.Nick}"), new XElement(XName.Get("x", "http://jabber.org/protocol/muc"),
            new XElement(XName.Get("history", "http://jabber.org/protocol/muc"), new XAttribute("maxstanzas", "0")))), cancellationToken);

    /// <summary>Sends a direct message (to a JID) or a room message (to a room's bare JID, <paramref name="groupchat"/>).</summary>
    public Task SendAsync(string to, string body, bool groupchat = false, CancellationToken cancellationToken = default)
        => Connection.WriteAsync(new XElement("message", new XAttribute("to", to), new XAttribute("type", groupchat ? "groupchat" : "chat"),
            new XAttribute("id", NextId()), new XElement("body", body)), cancellationToken);

    /// <summary>Sends any stanza (tests play hostile users with it).</summary>
    internal Task WriteRawAsync(XElement stanza, CancellationToken cancellationToken = default) => Connection.WriteAsync(stanza, cancellationToken);

    private XmppConnection Connection => _connection ?? throw new InvalidOperationException("not connected");

    private async Task AuthenticateAsync(XmppConnection connection, HashSet<string> offered, string user, CancellationToken ct)
    {
        var mechanism = _options.SaslMechanisms.FirstOrDefault(offered.Contains)
                        ?? throw new InvalidOperationException($"no SASL mechanism in common (the server offers {string.Join(", ", offered)})");
        Mechanism = mechanism;
        if (mechanism == "PLAIN")
        {
            if (!connection.IsEncrypted)
            {
                throw new InvalidOperationException("refusing SASL PLAIN without TLS");
            }

            var plain = System.Text.Encoding.UTF8.GetBytes($"\0{user}\0{_options.Password}");
            await connection.WriteAsync($"<auth xmlns='{Sasl}' mechanism='PLAIN'>{Convert.ToBase64String(plain)}</auth>", ct).ConfigureAwait(false);
            await ExpectSuccessAsync(connection, null, ct).ConfigureAwait(false);
            return;
        }

        var scram = new Scram(mechanism, user, _options.Password);
        await connection.WriteAsync($"<auth xmlns='{Sasl}' mechanism='{mechanism}'>{Convert.ToBase64String(scram.ClientFirst())}</auth>", ct).ConfigureAwait(false);
        var challenge = await connection.ReadAsync(ct).ConfigureAwait(false);
        if (challenge?.Name != XName.Get("challenge", Sasl))
        {
            throw new InvalidOperationException($"XMPP sign-in as {_options.Jid} failed: {Describe(challenge)}");
        }

        var final = scram.ClientFinal(Convert.FromBase64String(challenge.Value));
        await connection.WriteAsync($"<response xmlns='{Sasl}'>{Convert.ToBase64String(final)}</response>", ct).ConfigureAwait(false);
        await ExpectSuccessAsync(connection, scram, ct).ConfigureAwait(false);
    }

    private async Task ExpectSuccessAsync(XmppConnection connection, Scram? scram, CancellationToken ct)
    {
        XElement? result;
        try
        {
            result = await connection.ReadAsync(ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or System.Xml.XmlException && !ct.IsCancellationRequested)
        {
            // A server may close the connection right behind its <failure/>, so the failure itself can be lost.
            // (Not when the caller stopped us mid sign-in: that closed the connection, and is no sign-in failure.)
            throw new InvalidOperationException($"XMPP sign-in as {_options.Jid} failed: the server closed the connection ({e.Message}); check --xmpp_jid and --xmpp_password", e);
        }

        if (result?.Name != XName.Get("success", Sasl))
        {
            throw new InvalidOperationException($"XMPP sign-in as {_options.Jid} failed: {Describe(result)} (check --xmpp_jid and --xmpp_password)");
        }

        if (scram is not null && !scram.Verify(Convert.FromBase64String(result.Value)))
        {
            throw new InvalidOperationException("the server's SCRAM signature is wrong: it does not know the password; refusing to continue");
        }
    }

    private static string Describe(XElement? element)
        => element is null ? "the server closed the stream" : element.Elements().FirstOrDefault()?.Name.LocalName ?? element.Name.LocalName;

    /// <summary>An IQ before the read loop runs: sends it and reads until its result.</summary>
    private async Task<XElement> IqAsync(XmppConnection connection, string type, string? to, XElement payload, CancellationToken ct)
    {
        var id = NextId();
        var iq = new XElement("iq", new XAttribute("type", type), new XAttribute("id", id), payload);
        if (to is not null)
        {
            iq.Add(new XAttribute("to", to));
        }

        await connection.WriteAsync(iq, ct).ConfigureAwait(false);
        while (await connection.ReadAsync(ct).ConfigureAwait(false) is { } stanza)
        {
            if (stanza.Name.LocalName == "iq" && (string?)stanza.Attribute("id") == id)
            {
                return (string?)stanza.Attribute("type") == "result" ? stanza : throw new InvalidOperationException($"XMPP {payload.Name.LocalName} failed: {stanza}");
            }
        }

        throw new IOException("the server closed the stream");
    }

    private async Task ReadLoopAsync(XmppConnection connection)
    {
        try
        {
            while (await connection.ReadAsync(_stop.Token).ConfigureAwait(false) is { } stanza)
            {
                await HandleAsync(connection, stanza).ConfigureAwait(false);
            }

            _logger.LogWarning("XMPP: the server closed the stream");
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException or System.Xml.XmlException)
        {
            if (!_stop.IsCancellationRequested)
            {
                _logger.LogWarning("XMPP: connection lost: {Error}", e.Message);
            }
        }
        finally
        {
            _messages.Writer.TryComplete();
        }
    }

    private async Task HandleAsync(XmppConnection connection, XElement stanza)
    {
        var from = (string?)stanza.Attribute("from") ?? "";
        var type = (string?)stanza.Attribute("type");
        switch (stanza.Name.LocalName)
        {
            case "message":
                var body = stanza.Elements().FirstOrDefault(e => e.Name.LocalName == "body")?.Value;
                if (body is null || type == "error" || stanza.Elements().Any(e => e.Name.LocalName == "delay"))
                {
                    return; // receipts, typing notices, errors, room history
                }

                if (type == "groupchat")
                {
                    if (!_joinAttempts.ContainsKey(Bare(from)))
                    {
                        // Only a room the bot joined speaks as a room: anyone can send a stanza typed groupchat.
                        _logger.LogWarning("XMPP: ignored a room message from {From}, which is not a room the bot joined", from);
                        return;
                    }

                    var slash = from.IndexOf('/', StringComparison.Ordinal);
                    if (slash < 0 || from[(slash + 1)..] == _options.Nick)
                    {
                        return; // the room's own notices and our echo
                    }

                    _messages.Writer.TryWrite(new XmppMessage(from, from[..slash], body, InRoom: true, _occupants.GetValueOrDefault(from)));
                }
                else
                {
                    _messages.Writer.TryWrite(new XmppMessage(Bare(from), from, body, InRoom: false, Bare(from)));
                }

                break;
            case "presence" when type == "error" && _joinAttempts.ContainsKey(Bare(from)):
                // Refused entry (a room just created by someone else stays locked until its owner configures it):
                // try again shortly, a few times.
                var room = Bare(from);
                var attempt = _joinAttempts.AddOrUpdate(room, 1, (_, n) => n + 1);
                if (attempt <= 10)
                {
                    _logger.LogInformation("XMPP: could not join {Room} yet ({Error}); retrying", room, stanza.Descendants().FirstOrDefault(e => e.Parent?.Name.LocalName == "error")?.Name.LocalName);
                    _ = Task.Run(async () =>
                    {
                        await Task.Delay(TimeSpan.FromMilliseconds(500 * attempt), _stop.Token).ConfigureAwait(false);
                        await JoinAsync(room, _stop.Token).ConfigureAwait(false);
                    });
                }

                break;
            case "presence":
                var item = stanza.Descendants(XName.Get("item", MucUser)).FirstOrDefault();
                if (item is not null && !_joinAttempts.ContainsKey(Bare(from)))
                {
                    // Who an occupant "really" is comes only from rooms the bot joined; a user's own presence could claim anyone.
                    _logger.LogWarning("XMPP: ignored room presence from {From}, which is not a room the bot joined", from);
                    break;
                }

                if (item is not null)
                {
                    if (type == "unavailable")
                    {
                        _occupants.Remove(from);
                    }
                    else if ((string?)item.Attribute("jid") is { } real)
                    {
                        _occupants[from] = Bare(real); // non-anonymous rooms tell who an occupant really is
                    }

                    var codes = stanza.Descendants(XName.Get("status", MucUser)).Select(s => (string?)s.Attribute("code")).ToHashSet();
                    if (codes.Contains("201") && codes.Contains("110"))
                    {
                        // We created the room: accept the default configuration (an "instant room", XEP-0045 §10.1.2).
                        var owner = XName.Get("query", "http://jabber.org/protocol/muc#owner");
                        await connection.WriteAsync(new XElement("iq", new XAttribute("type", "set"), new XAttribute("to", Bare(from)), new XAttribute("id", NextId()),
                            new XElement(owner, new XElement(XName.Get("x", "jabber:x:data"), new XAttribute("type", "submit")))), _stop.Token).ConfigureAwait(false);
                    }
                }

                break;
            case "iq" when type is "get" or "set":
                var id = (string?)stanza.Attribute("id") ?? "";
                var isPing = stanza.Elements().Any(e => e.Name == XName.Get("ping", "urn:xmpp:ping"));
                var reply = new XElement("iq", new XAttribute("type", isPing ? "result" : "error"), new XAttribute("id", id), new XAttribute("to", from));
                if (!isPing)
                {
                    reply.Add(new XElement("error", new XAttribute("type", "cancel"), new XElement(XName.Get("service-unavailable", "urn:ietf:params:xml:ns:xmpp-stanzas"))));
                }

                await connection.WriteAsync(reply, _stop.Token).ConfigureAwait(false);
                break;
        }
    }

    /// <summary>A space every minute keeps NATs and idle timeouts from closing the stream (RFC 6120 §4.6.1).</summary>
    private async Task KeepAliveAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromSeconds(60), _stop.Token).ConfigureAwait(false);
                await Connection.WriteAsync(" ", _stop.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException)
        {
        }
    }

    private string NextId() => "m" + Interlocked.Increment(ref _ids).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static string Bare(string jid) => jid.Split('/')[0];

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_connection is not null)
        {
            await _connection.DisposeAsync().ConfigureAwait(false);
        }

        foreach (var task in new[] { _reading, _keepAlive })
        {
            if (task is not null)
            {
                await task.ConfigureAwait(false);
            }
        }

        _stop.Dispose();
    }
}
