using System.CommandLine;

namespace Micro.Commands;

/// <summary>What every command needs: how to reach the environment for a parse, and where standard input comes from.</summary>
public sealed class CommandContext(Func<ParseResult, (MicroCommands Commands, IAsyncDisposable Lifetime)> connect, TextReader input)
{
    public TextReader Input { get; } = input;

    /// <summary>Connects, runs <paramref name="run"/>, disconnects; bad settings exit 2, unhandled Micro errors exit 1 with a message.</summary>
    public async Task<int> RunAsync(ParseResult parse, Func<MicroCommands, TextWriter, TextWriter, Task<int>> run)
    {
        ArgumentNullException.ThrowIfNull(parse);
        ArgumentNullException.ThrowIfNull(run);
        var output = parse.InvocationConfiguration.Output;
        var error = parse.InvocationConfiguration.Error;
        MicroCommands commands;
        IAsyncDisposable lifetime;
        try
        {
            (commands, lifetime) = connect(parse);
        }
        catch (Exception e) when (e is ArgumentException or FormatException)
        {
            await error.WriteLineAsync("error: " + e.Message).ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        await using (lifetime.ConfigureAwait(false))
        {
            try
            {
                return await run(commands, output, error).ConfigureAwait(false);
            }
            catch (MicroException e)
            {
                // Whatever a command did not handle itself (an unreachable registry or proxy, a refused token): said, not thrown.
                await error.WriteLineAsync($"error: {e.Detail} ({e.Code} {e.Status} from {(e.Id.Length > 0 ? e.Id : "the environment")})").ConfigureAwait(false);
                return ExitCodes.Failed;
            }
            catch (Exception e) when (e is InvalidOperationException or HttpRequestException or IOException or System.Net.Sockets.SocketException or TimeoutException)
            {
                // A registry or broker that cannot be reached fails like this, in each client library's own words.
                await error.WriteLineAsync($"error: the environment cannot be reached: {e.Message}\n" +
                    "Check --registry and --registry_address (or MICRO_REGISTRY, MICRO_REGISTRY_ADDRESS), and that the registry is running.").ConfigureAwait(false);
                return ExitCodes.Failed;
            }
        }
    }

    /// <summary>Connects quietly and asks something (completions): no output, failures are the caller's to swallow.</summary>
    public async Task<T> QueryAsync<T>(ParseResult parse, Func<MicroCommands, Task<T>> query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var (commands, lifetime) = connect(parse);
        await using (lifetime.ConfigureAwait(false))
        {
            return await query(commands).ConfigureAwait(false);
        }
    }

    /// <summary>Parses key=value pairs; returns an error message for the first bad one.</summary>
    public static string? ParsePairs(string[]? values, out Dictionary<string, string>? pairs)
    {
        pairs = null;
        foreach (var pair in values ?? [])
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                return $"error: --metadata '{pair}' is not key=value";
            }

            (pairs ??= new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase))[pair[..eq]] = pair[(eq + 1)..];
        }

        return null;
    }
}

/// <summary>The exit codes scripts can rely on.</summary>
public static class ExitCodes
{
    /// <summary>Done.</summary>
    public const int Ok = 0;

    /// <summary>The command ran and failed: unknown service, the call's error, a node not healthy, unreachable environment.</summary>
    public const int Failed = 1;

    /// <summary>The command line was wrong: bad JSON, bad flag values, unknown command.</summary>
    public const int Usage = 2;

    /// <summary>Interrupted (Ctrl+C).</summary>
    public const int Interrupted = 130;
}
