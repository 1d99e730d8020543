namespace Micro.Bot.Xmpp;

/// <summary>How the bot signs in to an XMPP server (Prosody, ejabberd; HipChat was one). The password never appears in ToString or logs.</summary>
public sealed record XmppOptions
{
    /// <summary><c>--xmpp_address</c>: the server, host:port (default port 5222).</summary>
    public string Address { get; init; } = "127.0.0.1:5222";

    /// <summary><c>--xmpp_jid</c>: the bot's account, user@domain.</summary>
    public string Jid { get; init; } = "";

    /// <summary><c>--xmpp_password</c> (or MICRO_XMPP_PASSWORD).</summary>
    public string Password { get; init; } = "";

    public string Resource { get; init; } = "micro-bot";

    /// <summary><c>--xmpp_rooms</c>: multi-user chat rooms to join (room@conference.domain).</summary>
    public IReadOnlyList<string> Rooms { get; init; } = [];

    /// <summary><c>--xmpp_nick</c>: the bot's nickname in rooms; messages there are for it when they start with "nick:".</summary>
    public string Nick { get; init; } = "micro";

    /// <summary><c>--xmpp_ca</c>: a PEM certificate to trust besides the system's (a self-signed server certificate).</summary>
    public string? TrustedCertificate { get; init; }

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>SASL mechanisms in order of preference; the first the server offers is used (PLAIN only ever over TLS).</summary>
    public IReadOnlyList<string> SaslMechanisms { get; init; } = ["SCRAM-SHA-256", "SCRAM-SHA-1", "PLAIN"];

    public override string ToString() => $"XmppOptions {{ Address = {Address}, Jid = {Jid}, Password = ***, Rooms = [{string.Join(", ", Rooms)}], Nick = {Nick} }}";
}
