namespace Micro.Bot;

/// <summary>A chat front end: delivers people's messages to the bot and its replies back, until stopped or its input ends.</summary>
public interface IBotInput : IAsyncDisposable
{
    string Name { get; }

    Task RunAsync(Func<BotMessage, CancellationToken, Task<string>> answer, CancellationToken cancellationToken);
}
