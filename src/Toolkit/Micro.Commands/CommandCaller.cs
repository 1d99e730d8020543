namespace Micro.Commands;

/// <summary>
/// Who runs a command line. The local shell (the <c>micro</c> command, <c>micro cli</c>, the bot's console) is the user
/// of this machine and may do what that user may. Every other front end (chat, the dashboard's terminal) relays text
/// from someone else, so its lines are parsed without response files (<c>@file</c> stays literal), cannot set
/// <c>Micro-*</c> metadata, carry who is signed in as <c>Micro-User</c>, and reach only registered nodes.
/// </summary>
public sealed record CommandCaller
{
    private CommandCaller(bool isLocalShell, string? user)
    {
        IsLocalShell = isLocalShell;
        User = user;
    }

    /// <summary>The person at this machine's shell.</summary>
    public static CommandCaller LocalShell { get; } = new(true, null);

    /// <summary>Someone reaching the commands through a front end; <paramref name="user"/> is who it signed in (null: anonymous).</summary>
    public static CommandCaller Remote(string? user) => new(false, string.IsNullOrWhiteSpace(user) ? null : user);

    public bool IsLocalShell { get; }

    /// <summary>Who is signed in at the front end; sent as <c>Micro-User</c> on calls.</summary>
    public string? User { get; }
}
