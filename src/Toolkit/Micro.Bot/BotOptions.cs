namespace Micro.Bot;

/// <summary>What the bot answers and to whom.</summary>
public sealed record BotOptions
{
    /// <summary><c>--namespace</c>: services named <c>&lt;namespace&gt;.&lt;cmd&gt;</c> add command <c>&lt;cmd&gt;</c>.</summary>
    public string Namespace { get; init; } = "go.micro.bot";

    /// <summary>
    /// <c>--allowed_users</c>: who may run commands that change the environment (call, register, deregister): XMPP bare
    /// JIDs, Slack user IDs or names. Empty: nobody may, from chat. The console's user (a local operator) always may.
    /// </summary>
    public IReadOnlyList<string> AllowedUsers { get; init; } = [];

    /// <summary>How long a command may take before the bot answers that it gave up.</summary>
    public TimeSpan CommandTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Commands that change the environment, for the allowed users only.</summary>
    public static readonly IReadOnlyList<string> Restricted = ["call", "register", "deregister"];
}

/// <summary>A message to the bot: which input, who (as the input identifies users), where it came from, the text.</summary>
public sealed record BotMessage(string Input, string User, string Text, bool Trusted = false);

/// <summary>A chat front end: delivers people's messages to the bot and its replies back, until stopped or its input ends.</summary>
public interface IBotInput : IAsyncDisposable
{
    string Name { get; }

    Task RunAsync(Func<BotMessage, CancellationToken, Task<string>> answer, CancellationToken cancellationToken);
}

/// <summary>A command added in code: <paramref name="Exec"/> gets the words after the command name.</summary>
public sealed record BotCommand(string Name, string Usage, string Description, Func<IReadOnlyList<string>, BotMessage, CancellationToken, Task<string>> Exec);
