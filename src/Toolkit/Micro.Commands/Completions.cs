using System.CommandLine.Completions;

namespace Micro.Commands;

/// <summary>Tab completion of service and endpoint names from the registry (the shell scripts and the interactive shell use it).</summary>
internal static class Completions
{
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(2); // completion must never hang a shell

    public static IEnumerable<CompletionItem> Services(CompletionContext completion, CommandContext context)
        => IsHelp(completion)
            ? []
            : Query(completion, context, async commands => (await commands.ServiceNamesAsync(Timeout()).ConfigureAwait(false)).ToArray());

    /// <summary>Endpoints of the service named earlier on the line (the first argument of call/stream).</summary>
    public static IEnumerable<CompletionItem> Endpoints(CompletionContext completion, CommandContext context, System.CommandLine.Argument<string> service)
    {
        var name = completion.ParseResult.GetResult(service)?.Tokens.FirstOrDefault()?.Value;
        return IsHelp(completion) || string.IsNullOrEmpty(name) ? [] : Query(completion, context, async commands => (await commands.EndpointNamesAsync(name, Timeout()).ConfigureAwait(false)).ToArray());
    }

    // Help lists an argument's completions with the empty context: it must not ask (or wait for) the registry.
    private static bool IsHelp(CompletionContext completion) => ReferenceEquals(completion, CompletionContext.Empty);

    private static CancellationToken Timeout() => new CancellationTokenSource(Budget).Token;

    private static IEnumerable<CompletionItem> Query(CompletionContext completion, CommandContext context, Func<MicroCommands, Task<string[]>> names)
    {
        try
        {
            return context.QueryAsync(completion.ParseResult, names).GetAwaiter().GetResult()
                .Where(n => n.StartsWith(completion.WordToComplete, StringComparison.OrdinalIgnoreCase))
                .Select(n => new CompletionItem(n))
                .ToArray();
        }
#pragma warning disable CA1031 // no completions is the right answer to any failure here
        catch (Exception e)
#pragma warning restore CA1031
        {
            if (Environment.GetEnvironmentVariable("MICRO_DEBUG_COMPLETION") is not null) // why a completion came back empty
            {
                Console.Error.WriteLine("completion failed: " + e);
            }

            return [];
        }
    }
}
