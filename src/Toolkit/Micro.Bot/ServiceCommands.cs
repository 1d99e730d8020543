using System.Text;
using Micro.Client;
using Micro.Registry;
using Microsoft.Extensions.Logging;

namespace Micro.Bot;

/// <summary>Commands that services add while they run: the registry is watched for <c>&lt;namespace&gt;.&lt;cmd&gt;</c>.</summary>
internal sealed class ServiceCommands(string ns, IRegistry registry, IMicroClient client, ILogger logger) : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private volatile string[] _names = [];
    private Task? _watching;

    /// <summary>The bot's own request and reply types, described without reflection.</summary>
    private static readonly Codec.JsonCodec Json = new([BotJsonContext.Default]);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await RefreshAsync(cancellationToken).ConfigureAwait(false);
        _watching = Task.Run(WatchAsync, CancellationToken.None);
    }

    public bool Has(string name) => _names.Contains(name, StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Known, or known after reading the registry again: a service that registered while the watch was starting
    /// produces no event (it is in the watch's first snapshot), so a miss is checked once against the registry.
    /// </summary>
    public async Task<bool> HasAsync(string name, CancellationToken cancellationToken)
    {
        if (Has(name))
        {
            return true;
        }

        await TryRefreshAsync(cancellationToken).ConfigureAwait(false);
        return Has(name);
    }

    public async Task<IReadOnlyList<(string Usage, string Description)>> HelpAsync(CancellationToken cancellationToken)
    {
        await TryRefreshAsync(cancellationToken).ConfigureAwait(false); // help lists what runs now, not what the watch last saw
        var help = await Task.WhenAll(_names.Select(async name =>
        {
            try
            {
                var reply = Json.Decode<HelpResponse>((await client.CallAsync(new MicroRequest(ns + "." + name, "Command.Help", Json.Encode(new HelpRequest())), null, cancellationToken).ConfigureAwait(false)).Body);
                return (reply.Usage is { Length: > 0 } u ? u : name, reply.Description ?? "");
            }
            catch (MicroException e)
            {
                return (name, $"(its service does not answer: {e.Detail})");
            }
        })).ConfigureAwait(false);
        return help.OrderBy(h => h.Item1, StringComparer.Ordinal).ToArray();
    }

    public async Task<string> ExecAsync(string name, IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        var reply = Json.Decode<ExecResponse>((await client.CallAsync(new MicroRequest(ns + "." + name, "Command.Exec", Json.Encode(new ExecRequest([name, .. args]))), null, cancellationToken).ConfigureAwait(false)).Body);
        return reply.Error is { Length: > 0 } error ? $"{name}: {error}" : Encoding.UTF8.GetString(reply.Result ?? []);
    }

    private async Task TryRefreshAsync(CancellationToken cancellationToken)
    {
        try
        {
            await RefreshAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogDebug("Reading service commands from the registry failed ({Reason}); using the last known list", e.Message);
        }
    }

    private async Task RefreshAsync(CancellationToken cancellationToken)
    {
        var prefix = ns + ".";
        var services = await registry.ListServicesAsync(cancellationToken).ConfigureAwait(false);
        _names = services.Select(s => s.Name).Where(n => n.StartsWith(prefix, StringComparison.Ordinal) && n.Length > prefix.Length)
            .Select(n => n[prefix.Length..]).Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
    }

    private Task WatchAsync() => RegistryWatch.RunAsync(registry, async (change, ct) =>
    {
        if (change.Service.Name.StartsWith(ns + ".", StringComparison.Ordinal))
        {
            await RefreshAsync(ct).ConfigureAwait(false);
        }
    }, logger, "the bot's service commands", _stop.Token);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_watching is not null)
        {
            try
            {
                await _watching.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }

        _stop.Dispose();
    }
}
