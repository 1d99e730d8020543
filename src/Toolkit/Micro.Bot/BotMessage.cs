namespace Micro.Bot;

/// <summary>A message to the bot: which input, who (as the input identifies users), where it came from, the text.</summary>
public sealed record BotMessage(string Input, string User, string Text, bool Trusted = false);
