using System.Net.Http.Headers;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Micro.Bot.Slack;

/// <summary>
/// The bot in Slack through Socket Mode (no public URL): <c>apps.connections.open</c> gives a WebSocket URL; every
/// envelope is acknowledged with its <c>envelope_id</c>; <c>message</c> events in direct messages and <c>app_mention</c>
/// events in channels are commands; answers go through <c>chat.postMessage</c>. A <c>disconnect</c> (Slack refreshes
/// connections) or a dropped socket reconnects. The user is the Slack user ID.
/// </summary>
public sealed class SlackInput : IBotInput
{
    private readonly SlackOptions _options;
    private readonly ILogger _logger;
    private readonly HttpClient _http;
    private string _self = "";

    private readonly ReconnectPolicy _reconnect;
    private readonly TimeProvider _time;

    public SlackInput(SlackOptions options, ILogger<SlackInput>? logger = null, HttpMessageHandler? handler = null, ReconnectPolicy? reconnect = null, TimeProvider? time = null)
    {
        _reconnect = reconnect ?? ReconnectPolicy.Default;
        _time = time ?? TimeProvider.System;
        _options = options ?? throw new ArgumentNullException(nameof(options));
        if (!_options.AppToken.StartsWith("xapp-", StringComparison.Ordinal) || !_options.BotToken.StartsWith("xoxb-", StringComparison.Ordinal))
        {
            throw new ArgumentException("Slack needs an app-level token (--slack_app_token xapp-...) and a bot token (--slack_bot_token xoxb-...)");
        }

        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _http = handler is null ? new HttpClient() : new HttpClient(handler);
        _http.BaseAddress = _options.ApiUrl;
    }

    public string Name => "slack";

    public async Task RunAsync(Func<BotMessage, CancellationToken, Task<string>> answer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(answer);
        // A refused token (auth.test) ends it at once; a lost connection or an unreachable Slack is retried with backoff.
        _self = (await ApiAsync("auth.test", _options.BotToken, null, cancellationToken).ConfigureAwait(false))["user_id"]?.GetValue<string>() ?? "";
        await _reconnect.RunAsync("Slack", (connected, ct) => RunConnectionAsync(answer, connected, ct), _logger, _time, cancellationToken).ConfigureAwait(false);
    }

    private async Task RunConnectionAsync(Func<BotMessage, CancellationToken, Task<string>> answer, Action connected, CancellationToken cancellationToken)
    {
        var url = (await ApiAsync("apps.connections.open", _options.AppToken, null, cancellationToken).ConfigureAwait(false))["url"]?.GetValue<string>()
                  ?? throw new IOException("apps.connections.open returned no url");
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri(url), cancellationToken).ConfigureAwait(false);
        _logger.LogInformation("Slack: connected (Socket Mode) as {User}", _self);
        connected();
        var buffer = new byte[64 * 1024];
        while (socket.State == WebSocketState.Open)
        {
            using var frame = new MemoryStream();
            WebSocketReceiveResult result;
            do
            {
                result = await socket.ReceiveAsync(buffer, cancellationToken).ConfigureAwait(false);
                frame.Write(buffer, 0, result.Count);
            }
            while (!result.EndOfMessage);

            if (result.MessageType == WebSocketMessageType.Close)
            {
                return;
            }

            var envelope = JsonNode.Parse(frame.ToArray())?.AsObject();
            if (envelope?["envelope_id"]?.GetValue<string>() is { } id)
            {
                // Acknowledge first: Slack redelivers what is not acknowledged within 3 seconds.
                await socket.SendAsync(Encoding.UTF8.GetBytes(new JsonObject { ["envelope_id"] = id }.ToJsonString()), WebSocketMessageType.Text, true, cancellationToken).ConfigureAwait(false);
            }

            var kind = envelope?["type"]?.GetValue<string>();
            if (kind == "disconnect")
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, cancellationToken).ConfigureAwait(false);
                return; // Slack asks for a fresh connection
            }

            var payload = envelope?["payload"] as JsonObject;
            if (kind == "events_api" && payload?["event"] is JsonObject slackEvent)
            {
                _ = Task.Run(() => HandleEventAsync(slackEvent, answer, cancellationToken), cancellationToken);
            }
        }
    }

    private async Task HandleEventAsync(JsonObject e, Func<BotMessage, CancellationToken, Task<string>> answer, CancellationToken cancellationToken)
    {
        var type = e["type"]?.GetValue<string>();
        var user = e["user"]?.GetValue<string>();
        var text = e["text"]?.GetValue<string>() ?? "";
        var channel = e["channel"]?.GetValue<string>();
        if (user is null || channel is null || user == _self || e["bot_id"] is not null || e["subtype"] is not null)
        {
            return; // our own messages, other bots, edits and joins
        }

        var direct = e["channel_type"]?.GetValue<string>() == "im";
        if (type == "message" && !direct)
        {
            return; // in channels the bot answers mentions (app_mention), not every message
        }

        if (type is not ("message" or "app_mention"))
        {
            return;
        }

        text = text.Replace("<@" + _self + ">", "", StringComparison.Ordinal).Trim();
        try
        {
            var reply = await answer(new BotMessage(Name, user, text), cancellationToken).ConfigureAwait(false);
            if (reply.Length > 0)
            {
                await ApiAsync("chat.postMessage", _options.BotToken, new JsonObject { ["channel"] = channel, ["text"] = reply }, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or InvalidOperationException)
        {
            _logger.LogWarning("Slack: could not answer in {Channel}: {Error}", channel, ex.Message);
        }
    }

    /// <summary>A Web API method: POST with the token as bearer; Slack's <c>ok: false</c> becomes an exception naming its error.</summary>
    private async Task<JsonObject> ApiAsync(string method, string token, JsonObject? body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, method)
        {
            Content = new StringContent((body ?? new JsonObject()).ToJsonString(), Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false))?.AsObject()
                   ?? throw new InvalidOperationException($"Slack {method}: empty answer");
        if (json["ok"]?.GetValue<bool>() != true)
        {
            throw new InvalidOperationException($"Slack {method} failed: {json["error"]?.GetValue<string>() ?? response.StatusCode.ToString()}");
        }

        return json;
    }

    public ValueTask DisposeAsync()
    {
        _http.Dispose();
        return ValueTask.CompletedTask;
    }
}
