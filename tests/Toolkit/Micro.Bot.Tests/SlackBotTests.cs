using Micro.Bot.Slack;

namespace Micro.Bot.Tests;

/// <summary>The bot's Slack input against a stand-in of Socket Mode and the Web API methods it uses.</summary>
public sealed class SlackBotTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private const string Alice = "U0ALICE";
    private const string Eve = "U0EVE";
    private readonly SlackStandIn _slack = new();
    private readonly CancellationTokenSource _stop = new();
    private BotKit _kit = null!;
    private SlackInput _input = null!;
    private Task _running = null!;

    public async Task InitializeAsync()
    {
        await _slack.StartAsync();
        _kit = await BotKit.StartAsync(new BotOptions { AllowedUsers = [Alice] });
        _input = new SlackInput(new SlackOptions { AppToken = SlackStandIn.AppToken, BotToken = SlackStandIn.BotToken, ApiUrl = _slack.ApiUrl });
        _running = _kit.Bot.RunAsync([_input], _stop.Token);
        await _slack.WaitForConnectionAsync(Patience);
    }

    public async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        await _running.WaitAsync(Patience);
        await _input.DisposeAsync();
        await _kit.DisposeAsync();
        await _slack.DisposeAsync();
    }

    [Fact]
    public async Task A_direct_message_is_acknowledged_and_answered_with_chat_post_message()
    {
        var envelope = await _slack.SendMessageAsync(Alice, "D0ALICE", "list services");
        var (channel, text) = await _slack.NextPostAsync(Patience);
        Assert.Equal(("D0ALICE", "greeter"), (channel, text));
        Assert.True(_slack.WasAcknowledged(envelope));

        await _slack.SendMessageAsync(Alice, "D0ALICE", """call greeter Greeter.Hello {"name":"John"}""");
        Assert.Contains("Hello John", (await _slack.NextPostAsync(Patience)).Text);
    }

    [Fact]
    public async Task In_channels_only_mentions_are_commands()
    {
        await _slack.SendMessageAsync(Alice, "C0OPS", "ping", channelType: "channel"); // chatter, not for the bot
        await _slack.SendMessageAsync(Alice, "C0OPS", $"<@{SlackStandIn.BotUserId}> ping", channelType: "channel", type: "app_mention");
        Assert.Equal(("C0OPS", "pong"), await _slack.NextPostAsync(Patience)); // the first post is the mention's answer
    }

    [Fact]
    public async Task A_user_not_on_the_list_is_refused()
    {
        await _slack.SendMessageAsync(Eve, "D0EVE", """call greeter Greeter.Hello {"name":"John"}""");
        var (channel, text) = await _slack.NextPostAsync(Patience);
        Assert.Equal("D0EVE", channel);
        Assert.StartsWith($"Sorry {Eve}, 'call' changes the environment", text);
    }

    [Fact]
    public async Task A_disconnect_request_makes_it_reconnect_and_carry_on()
    {
        await _slack.RequestReconnectAsync();
        await _slack.WaitForConnectionAsync(Patience);
        Assert.Equal(2, _slack.Connections);
        await _slack.SendMessageAsync(Alice, "D0ALICE", "echo still here");
        Assert.Equal(("D0ALICE", "still here"), await _slack.NextPostAsync(Patience));
    }

    [Fact]
    public async Task Wrong_tokens_are_refused_at_start()
    {
        Assert.Throws<ArgumentException>(() => new SlackInput(new SlackOptions { AppToken = "xoxb-wrong-kind", BotToken = SlackStandIn.BotToken, ApiUrl = _slack.ApiUrl }));
        await using var input = new SlackInput(new SlackOptions { AppToken = SlackStandIn.AppToken, BotToken = "xoxb-not-the-bots", ApiUrl = _slack.ApiUrl });
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => input.RunAsync((_, _) => Task.FromResult(""), CancellationToken.None));
        Assert.Contains("auth.test failed: invalid_auth", error.Message);
        Assert.DoesNotContain("xoxb-not-the-bots", error.Message);
    }
}
