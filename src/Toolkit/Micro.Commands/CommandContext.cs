using System.CommandLine;

namespace Micro.Commands;

/// <summary>What every command needs: how to reach the environment for a parse, where standard input comes from, and who asks.</summary>
public sealed class CommandContext(Func<ParseResult, (MicroCommands Commands, IAsyncDisposable Lifetime)> connect, TextReader input, CommandCaller caller)
{
    public TextReader Input { get; } = input;

    public CommandCaller Caller { get; } = caller;

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

    /// <summary>
    /// The metadata a call may carry for <see cref="Caller"/>, or null after saying on <paramref name="error"/> why not.
    /// A caller that is not the local shell cannot set <c>Micro-*</c> headers (they name who calls: <c>Micro-User</c>
    /// is set here from who is signed in) and may only name, with <c>--address</c>, a node registered for the service.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, string>?> CheckCallerAsync(MicroCommands commands, string service, string? address,
        Dictionary<string, string>? pairs, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(commands);
        ArgumentNullException.ThrowIfNull(error);
        if (Caller.IsLocalShell)
        {
            return pairs ?? NoMetadata; // this machine's user; the transport still checks what it dials
        }

        if (pairs?.Keys.FirstOrDefault(k => k.StartsWith("Micro-", StringComparison.OrdinalIgnoreCase)) is { } reserved)
        {
            await error.WriteLineAsync($"error: --metadata {reserved}: Micro-* metadata is set by Micro itself (Micro-User is who is signed in), not by the caller").ConfigureAwait(false);
            return null;
        }

        if (address is not null && !await commands.IsNodeOfAsync(service, address, cancellationToken).ConfigureAwait(false))
        {
            await error.WriteLineAsync($"error: --address {address} is not a registered node of {service}; from here only registered nodes can be called").ConfigureAwait(false);
            return null;
        }

        return CallerMetadata(pairs) ?? NoMetadata;
    }

    private static readonly IReadOnlyDictionary<string, string> NoMetadata = new Dictionary<string, string>();

    /// <summary><paramref name="pairs"/> with <c>Micro-User</c> set to who is signed in at a front end (unchanged for the local shell).</summary>
    public IReadOnlyDictionary<string, string>? CallerMetadata(Dictionary<string, string>? pairs)
    {
        if (Caller.IsLocalShell || Caller.User is null)
        {
            return pairs;
        }

        pairs ??= new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        pairs[Transport.MicroHeaders.User] = Caller.User;
        return pairs;
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
