namespace Micro.Bot.Slack;

/// <summary>How the bot reaches Slack: Socket Mode with an app-level token, replies with the bot token. Tokens never appear in ToString or logs.</summary>
public sealed record SlackOptions
{
    /// <summary><c>--slack_app_token</c> (or MICRO_SLACK_APP_TOKEN): xapp-..., with connections:write.</summary>
    public string AppToken { get; init; } = "";

    /// <summary><c>--slack_bot_token</c> (or MICRO_SLACK_BOT_TOKEN): xoxb-..., with chat:write.</summary>
    public string BotToken { get; init; } = "";

    /// <summary><c>--slack_api_url</c>: the Web API base, https://slack.com/api/ unless testing.</summary>
    public Uri ApiUrl { get; init; } = new("https://slack.com/api/");

    public override string ToString() => $"SlackOptions {{ ApiUrl = {ApiUrl}, AppToken = ***, BotToken = *** }}";
}
