namespace Micro.Bot;

/// <summary>
/// The console: one command per line from standard input, each answer on standard output, done at end of input. For
/// local use and scripting; its user is the local operator (trusted like the CLI).
/// </summary>
public sealed class ConsoleInput(TextReader input, TextWriter output, string? user = null) : IBotInput
{
    public string Name => "console";

    public async Task RunAsync(Func<BotMessage, CancellationToken, Task<string>> answer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(answer);
        var who = user ?? Environment.UserName;
        while (!cancellationToken.IsCancellationRequested && await input.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            if (line.Trim().Length == 0)
            {
                continue;
            }

            var reply = await answer(new BotMessage(Name, who, line, Trusted: true), cancellationToken).ConfigureAwait(false);
            await output.WriteLineAsync(reply).ConfigureAwait(false);
            await output.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
