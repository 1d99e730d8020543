using System.Collections.Concurrent;
using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Micro.TestFixtures;

/// <summary>
/// The parts of Slack the bot uses, written from Slack's API documentation (Slack itself is not reachable here):
/// Web API <c>auth.test</c>, <c>apps.connections.open</c> (app-level token) and <c>chat.postMessage</c> (bot token),
/// all POST with a bearer token and answering <c>{"ok": ...}</c>; and a Socket Mode WebSocket that says <c>hello</c>,
/// delivers <c>events_api</c> envelopes, records the acknowledgements, and can ask the client to <c>disconnect</c>.
/// </summary>
public sealed class SlackStandIn : IAsyncDisposable
{
    public const string AppToken = "xapp-1-A0TEST-1-standin";
    public const string BotToken = "xoxb-1-standin";
    public const string BotUserId = "U0BOT";
    private readonly Channel<(string Channel, string Text)> _posted = Channel.CreateUnbounded<(string, string)>();
    private readonly ConcurrentDictionary<string, bool> _acknowledged = new();
    private readonly Channel<WebSocket> _connections = Channel.CreateUnbounded<WebSocket>();
    private WebApplication? _app;
    private WebSocket? _socket;
    private int _connectionCount;

    public Uri ApiUrl { get; private set; } = null!;

    public int Connections => Volatile.Read(ref _connectionCount);

    public async Task StartAsync()
    {
        var (app, address) = await Micro.Transport.Http.KestrelEndpoint.StartAsync(new IPEndPoint(IPAddress.Loopback, 0), a =>
        {
            a.UseWebSockets();
            a.MapPost("/api/auth.test", AuthTestAsync);
            a.MapPost("/api/apps.connections.open", ConnectionsOpenAsync);
            a.MapPost("/api/chat.postMessage", PostMessageAsync);
            a.Map("/link", LinkAsync);
        });
        _app = app;
        ApiUrl = new Uri($"http://{address}/api/");
    }

    /// <summary>Delivers a message event as Socket Mode does; returns its envelope id.</summary>
    public async Task<string> SendMessageAsync(string user, string channel, string text, string channelType = "im", string type = "message")
    {
        var socket = _socket ?? throw new InvalidOperationException("no Socket Mode client is connected");
        var id = Guid.NewGuid().ToString();
        var envelope = new JsonObject
        {
            ["envelope_id"] = id,
            ["type"] = "events_api",
            ["accepts_response_payload"] = false,
            ["payload"] = new JsonObject
            {
                ["type"] = "event_callback",
                ["event"] = new JsonObject { ["type"] = type, ["user"] = user, ["text"] = text, ["channel"] = channel, ["channel_type"] = channelType, ["ts"] = "1700000000.000200" },
            },
        };
        await socket.SendAsync(Encoding.UTF8.GetBytes(envelope.ToJsonString()), WebSocketMessageType.Text, true, CancellationToken.None);
        return id;
    }

    /// <summary>Asks the client to reconnect, as Slack does before it recycles a connection.</summary>
    public Task RequestReconnectAsync()
        => (_socket ?? throw new InvalidOperationException("not connected")).SendAsync("""{"type":"disconnect","reason":"refresh_requested"}"""u8.ToArray(), WebSocketMessageType.Text, true, CancellationToken.None);

    public async Task WaitForConnectionAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _connections.Reader.ReadAsync(cts.Token);
    }

    /// <summary>The next chat.postMessage the bot made.</summary>
    public async Task<(string Channel, string Text)> NextPostAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        return await _posted.Reader.ReadAsync(cts.Token);
    }

    public bool WasAcknowledged(string envelopeId) => _acknowledged.ContainsKey(envelopeId);

    private static Task AuthTestAsync(HttpContext context)
        => Api(context, BotToken, _ => Task.FromResult(new JsonObject { ["ok"] = true, ["user_id"] = BotUserId, ["bot_id"] = "B0BOT" }));

    private static Task ConnectionsOpenAsync(HttpContext context)
        => Api(context, AppToken, _ => Task.FromResult(new JsonObject { ["ok"] = true, ["url"] = $"ws://{context.Request.Host}/link/?ticket={Guid.NewGuid():N}" }));

    private Task PostMessageAsync(HttpContext context) => Api(context, BotToken, async body =>
    {
        var channel = body?["channel"]?.GetValue<string>();
        var text = body?["text"]?.GetValue<string>();
        if (channel is null || text is null)
        {
            return new JsonObject { ["ok"] = false, ["error"] = channel is null ? "channel_not_found" : "no_text" };
        }

        await _posted.Writer.WriteAsync((channel, text));
        return new JsonObject { ["ok"] = true, ["channel"] = channel, ["ts"] = "1700000000.000100" };
    });

    private static async Task Api(HttpContext context, string token, Func<JsonObject?, Task<JsonObject>> answer)
    {
        JsonObject reply;
        if (context.Request.Headers.Authorization.ToString() != "Bearer " + token)
        {
            reply = new JsonObject { ["ok"] = false, ["error"] = token.StartsWith("xapp", StringComparison.Ordinal) ? "not_allowed_token_type" : "invalid_auth" };
        }
        else
        {
            var body = await JsonNode.ParseAsync(context.Request.Body) as JsonObject;
            reply = await answer(body);
        }

        context.Response.ContentType = "application/json; charset=utf-8";
        await context.Response.WriteAsync(reply.ToJsonString());
    }

    private async Task LinkAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = 400;
            return;
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        _socket = socket;
        Interlocked.Increment(ref _connectionCount);
        await socket.SendAsync("""{"type":"hello","num_connections":1,"connection_info":{"app_id":"A0TEST"}}"""u8.ToArray(), WebSocketMessageType.Text, true, context.RequestAborted);
        await _connections.Writer.WriteAsync(socket);
        var buffer = new byte[16 * 1024];
        try
        {
            while (socket.State == WebSocketState.Open)
            {
                var result = await socket.ReceiveAsync(buffer, context.RequestAborted);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
                    break;
                }

                if (JsonNode.Parse(Encoding.UTF8.GetString(buffer, 0, result.Count))?["envelope_id"]?.GetValue<string>() is { } id)
                {
                    _acknowledged[id] = true;
                }
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }
}
