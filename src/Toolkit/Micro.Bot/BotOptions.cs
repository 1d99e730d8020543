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
