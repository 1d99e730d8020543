namespace Micro.Bot;

/// <summary>A command added in code: <paramref name="Exec"/> gets the words after the command name.</summary>
public sealed record BotCommand(string Name, string Usage, string Description, Func<IReadOnlyList<string>, BotMessage, CancellationToken, Task<string>> Exec);
