using Micro.Registry;
using Micro.Server;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Protocol;

namespace Micro.Mcp;

/// <summary>
/// The registry's endpoints as MCP tools, kept current by a registry watch: the tool collection the MCP server lists
/// from, whose changes the SDK sends to clients as <c>notifications/tools/list_changed</c>. Left out: <c>Debug.*</c>,
/// subscribers, stream endpoints (not yet tools), and services <see cref="McpOptions.Services"/> excludes.
/// </summary>
public sealed class RegistryTools : IAsyncDisposable
{
    private readonly IRegistry _registry;
    private readonly ServiceFilter _filter;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _refreshing = new(1, 1);
    private Task? _watch;
    private int _stopped;
    private int _disposed;

    public RegistryTools(IRegistry registry, McpOptions options, ILogger<RegistryTools> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _registry = registry ?? throw new ArgumentNullException(nameof(registry));
        _filter = new ServiceFilter(options.Services);
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
    }

    /// <summary>Raised after a refresh changed the tools (each server session then tells its client).</summary>
    public event Action? Changed;

    /// <summary>The tools now, by name: a snapshot replaced whole on each change, so a listing never sees half a refresh.</summary>
    internal IReadOnlyDictionary<string, EndpointTool> Current { get; private set; } = new Dictionary<string, EndpointTool>();

    internal IRegistry Registry => _registry;

    /// <summary>Reads the registry once and starts watching it (each change re-reads it).</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        await RefreshAsync(cancellationToken).ConfigureAwait(false);
        _watch = Task.Run(() => WatchAsync(_stop.Token), CancellationToken.None);
    }

    /// <summary>Re-reads the registry and brings the tool collection in line (one change notification per refresh).</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken = default)
    {
        await _refreshing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var wanted = await ReadAsync(cancellationToken).ConfigureAwait(false);
            var current = Current;
            var same = wanted.Count == current.Count && wanted.All(w => current.TryGetValue(w.ProtocolTool.Name, out var c) && Same(c, w));
            if (same)
            {
                return;
            }

            Current = wanted.ToDictionary(t => t.ProtocolTool.Name, StringComparer.Ordinal);
            Changed?.Invoke();
        }
        finally
        {
            _refreshing.Release();
        }
    }

    private async Task<List<EndpointTool>> ReadAsync(CancellationToken cancellationToken)
    {
        var endpoints = new SortedDictionary<(string Service, string Endpoint), Endpoint>();
        foreach (var listed in await _registry.ListServicesAsync(cancellationToken).ConfigureAwait(false))
        {
            if (!_filter.Includes(listed.Name))
            {
                continue;
            }

            foreach (var version in await _registry.GetServiceAsync(listed.Name, cancellationToken).ConfigureAwait(false))
            {
                foreach (var endpoint in version.Endpoints)
                {
                    if (IsTool(endpoint))
                    {
                        endpoints.TryAdd((listed.Name, endpoint.Name), endpoint); // the first version seen describes it
                    }
                }
            }
        }

        var tools = new List<EndpointTool>(endpoints.Count);
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var ((service, name), endpoint) in endpoints)
        {
            var toolName = ToolNames.For(service, name);
            if (!names.Add(toolName))
            {
                toolName = ToolNames.Hashed(service, name); // two endpoints sanitised alike: the later in order takes the hash
                names.Add(toolName);
            }

            var description = endpoint.Metadata?.GetValueOrDefault("description") is { Length: > 0 } d ? Clean(d) : $"Calls {name} of the {service} service.";
            var stream = endpoint.Metadata?.GetValueOrDefault("stream") == "true";
            tools.Add(new EndpointTool(service, name, stream, new Tool { Name = toolName, Description = description, InputSchema = ToolSchema.For(endpoint.Request, RequiredFields.Parse(endpoint.Metadata?.GetValueOrDefault(RequiredFields.Key))) }));
        }

        return tools;
    }

    /// <summary>
    /// A description as an agent may read it: registry contents, written by anyone who can register, so at most 1,000
    /// characters and no control characters (an agent is told what a tool does, not handed a page of instructions).
    /// </summary>
    internal static string Clean(string description)
    {
        var text = new string(description.Where(c => !char.IsControl(c) || c == '\n').Take(1000).ToArray());
        return text.Length == 0 ? "(no description)" : text;
    }

    private static bool IsTool(Endpoint endpoint)
        => !endpoint.Name.StartsWith("Debug.", StringComparison.Ordinal)
            && endpoint.Metadata?.GetValueOrDefault("subscriber") != "true"
            && endpoint.Metadata?.GetValueOrDefault(EndpointStreaming.Key) is null or EndpointStreaming.Server;

    private static bool Same(EndpointTool a, EndpointTool b)
        => a.Service == b.Service && a.Endpoint == b.Endpoint && a.ProtocolTool.Description == b.ProtocolTool.Description
            && a.ProtocolTool.InputSchema.GetRawText() == b.ProtocolTool.InputSchema.GetRawText();

    private async Task WatchAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await foreach (var change in _registry.WatchAsync(null, cancellationToken).ConfigureAwait(false))
                {
                    await RefreshAsync(cancellationToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                _logger.LogWarning("Registry {Registry} watch failed ({Reason}); the tools may be stale until it is back", _registry.Name, e.Message);
            }

            try
            {
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Stops watching the registry (the tools stay as last seen). Safe to call more than once.</summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        if (_watch is not null)
        {
            await _watch.ConfigureAwait(false);
        }
    }

    /// <summary>Stops watching and frees what the watch held; a host that stopped it first and a container that disposes it after are both fine.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _stop.Dispose();
            _refreshing.Dispose();
        }
    }
}
