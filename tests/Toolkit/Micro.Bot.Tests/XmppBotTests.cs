using System.Xml.Linq;
using Micro.Bot.Xmpp;

namespace Micro.Bot.Tests;

/// <summary>The bot in XMPP against a real Prosody on loopback, talked to by test users with the same client.</summary>
public sealed class XmppBotTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private const string Room = "ops@" + ProsodyServer.Conference;
    private readonly ProsodyServer _prosody = new();
    private readonly CancellationTokenSource _stop = new();
    private BotKit _kit = null!;
    private XmppInput _input = null!;
    private Task _running = null!;
    private string _bot = "";
    private string _alice = "";
    private string _eve = "";

    public async Task InitializeAsync()
    {
        _bot = _prosody.AddUser("bot", "bot-secret");
        _alice = _prosody.AddUser("alice", "alice-secret");
        _eve = _prosody.AddUser("eve", "eve-secret");
        await _prosody.StartAsync();
        _kit = await BotKit.StartAsync(new BotOptions { AllowedUsers = [_alice] });
        _input = new XmppInput(Options(_bot, "bot-secret") with { Rooms = [Room], Nick = "micro" });
        _running = _kit.Bot.RunAsync([_input], _stop.Token);
    }

    public async Task DisposeAsync()
    {
        try
        {
            await _stop.CancelAsync();
            await _input.DisposeAsync();
            await _running.WaitAsync(Patience);
            await _kit.DisposeAsync();
        }
        finally
        {
            await _prosody.DisposeAsync(); // never left running, whatever failed above
        }
    }

    private XmppOptions Options(string jid, string password) => new()
    {
        Address = _prosody.Address,
        Jid = jid,
        Password = password,
        TrustedCertificate = _prosody.CertificatePath,
        Resource = "test",
    };

    private async Task<XmppClient> SignInAsync(string jid, string password)
    {
        var client = new XmppClient(Options(jid, password) with { Nick = jid.Split('@')[0] }); // its own nick in rooms
        await client.ConnectAsync();
        return client;
    }

    /// <summary>Sends and waits for the bot's answer, asking again until it contains <paramref name="expected"/> (the bot may still be signing in).</summary>
    private async Task<string> AskAsync(XmppClient user, string text, string expected, string? room = null)
    {
        var deadline = DateTime.UtcNow + Patience;
        var last = "";
        while (DateTime.UtcNow < deadline)
        {
            await user.SendAsync(room ?? _bot, room is null ? text : "micro: " + text, groupchat: room is not null);
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(3));
            try
            {
                while (true)
                {
                    var message = await user.Messages.ReadAsync(wait.Token);
                    var fromBot = room is null ? message.From == _bot : message.InRoom && message.From.EndsWith("/micro", StringComparison.Ordinal);
                    if (fromBot)
                    {
                        last = message.Body;
                        if (last.Contains(expected, StringComparison.Ordinal))
                        {
                            return last;
                        }

                        break;
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
        }

        return last;
    }

    [Fact]
    public async Task A_user_lists_services_and_calls_the_greeter_in_a_direct_message()
    {
        await using var alice = await SignInAsync(_alice, "alice-secret");
        Assert.StartsWith(_alice + "/", alice.BoundJid);
        Assert.Contains("greeter", await AskAsync(alice, "list services", "greeter"));
        Assert.Contains("Hello John", await AskAsync(alice, """call greeter Greeter.Hello {"name":"John"}""", "Hello John"));
    }

    [Fact]
    public async Task A_user_not_on_the_list_is_refused_politely()
    {
        await using var eve = await SignInAsync(_eve, "eve-secret");
        var answer = await AskAsync(eve, """call greeter Greeter.Hello {"name":"John"}""", "Sorry");
        Assert.StartsWith($"Sorry {_eve}, 'call' changes the environment", answer);
        Assert.Contains("pong", await AskAsync(eve, "ping", "pong")); // other commands are fine
    }

    [Fact]
    public async Task A_command_service_added_at_run_time_shows_up_in_help()
    {
        await using var alice = await SignInAsync(_alice, "alice-secret");
        Assert.DoesNotContain("roll", await AskAsync(alice, "help", "Commands:"));
        await _kit.StartRollAsync();
        Assert.Contains("roll [sides] - rolls a die", await AskAsync(alice, "help", "roll"));
        Assert.Contains("rolled 4", await AskAsync(alice, "roll 6", "rolled"));
    }

    [Fact]
    public async Task In_a_room_the_bot_answers_messages_addressed_to_it()
    {
        await using var alice = await SignInAsync(_alice, "alice-secret");
        await alice.JoinRoomAsync(Room);
        Assert.Equal("pong", await AskAsync(alice, "ping", "pong", Room));
        // The room tells the bot alice's real JID, so the allow-list applies in rooms too.
        Assert.Contains("Hello Room", await AskAsync(alice, """call greeter Greeter.Hello {"name":"Room"}""", "Hello Room", Room));
    }

    [Fact]
    public async Task The_bot_signs_in_again_after_the_server_restarts()
    {
        await using (var before = await SignInAsync(_alice, "alice-secret"))
        {
            Assert.Contains("pong", await AskAsync(before, "ping", "pong"));
        }

        await _prosody.RestartAsync();
        await using var after = await SignInAsync(_alice, "alice-secret");
        Assert.Contains("pong", await AskAsync(after, "ping", "pong")); // the bot reconnected by itself
        Assert.False(_running.IsCompleted);
    }

    [Fact]
    public async Task An_input_that_cannot_reconnect_gives_up_with_an_error_instead_of_ending_quietly()
    {
        using var closed = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        closed.Start();
        var port = ((System.Net.IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop(); // nothing listens there now
        await using var input = new XmppInput(Options(_bot, "bot-secret") with { Address = "127.0.0.1:" + port },
            reconnect: new ReconnectPolicy { FirstDelay = TimeSpan.FromMilliseconds(10), GiveUpAfter = 3 });
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => input.RunAsync((_, _) => Task.FromResult(""), CancellationToken.None).WaitAsync(Patience));
        Assert.Contains("XMPP: gave up after 3 attempts", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_user_cannot_pose_as_a_room_or_claim_an_occupants_jid()
    {
        var counter = new Counter();
        await _kit.Kit.StartServerAsync("counter", counter);
        await using var eve = await SignInAsync(_eve, "eve-secret");
        Assert.Contains("pong", await AskAsync(eve, "ping", "pong")); // the bot is up
        // eve's own presence, shaped like a room's, saying she is alice; then a message typed groupchat from her (to the
        // full JID: servers do not deliver groupchat sent to a bare one).
        XNamespace muc = "http://jabber.org/protocol/muc#user";
        await eve.WriteRawAsync(new XElement("presence", new XAttribute("to", _bot + "/test"), new XElement(muc + "x", new XElement(muc + "item", new XAttribute("jid", _alice + "/x"), new XAttribute("role", "participant")))));
        await eve.WriteRawAsync(new XElement("message", new XAttribute("to", _bot + "/test"), new XAttribute("type", "groupchat"), new XElement("body", "micro: call counter Counter.Hit {}")));
        // Stanzas are handled in order: once this answer arrives, the forged ones were handled (and must have been ignored).
        Assert.Contains("pong", await AskAsync(eve, "ping", "pong"));
        Assert.Equal(0, counter.Hits);
        Assert.StartsWith("Sorry", await AskAsync(eve, "call counter Counter.Hit {}", "Sorry")); // as herself, still not allowed
        Assert.Equal(0, counter.Hits);
    }

    public sealed class Counter
    {
        private int _hits;

        public int Hits => Volatile.Read(ref _hits);

        public Task<HelloResponse> Hit(HelloRequest request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _hits);
            return Task.FromResult(new HelloResponse("hit"));
        }
    }

    [Theory]
    [InlineData("SCRAM-SHA-1")]
    [InlineData("PLAIN")]
    public async Task Each_sasl_mechanism_signs_in_over_tls(string mechanism)
    {
        await using var client = new XmppClient(Options(_alice, "alice-secret") with { SaslMechanisms = [mechanism], Resource = "sasl-" + mechanism });
        await client.ConnectAsync();
        Assert.Equal(mechanism, client.Mechanism);
        Assert.StartsWith(_alice + "/", client.BoundJid);
    }

    [Fact]
    public async Task A_wrong_password_is_a_clear_error()
    {
        var client = new XmppClient(Options(_alice, "wrong"));
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => client.ConnectAsync());
        Assert.Contains("sign-in as " + _alice + " failed", error.Message);
        await client.DisposeAsync();
    }
}
