using System.Text;
using System.Text.Json;
using Micro.Client;
using Micro.Hosting;
using Micro.Broker;
using Micro.Registry;
using Micro.Server;

namespace Micro.Commands;

/// <summary>
/// What the toolkit's commands do, with output to a <see cref="TextWriter"/> so the CLI, the dashboard's terminal and the
/// bot share one implementation. Each returns an exit code: 0 on success.
/// </summary>
public sealed class MicroCommands(IRegistry registry, IMicroClient client, IBroker broker, TimeSpan registerTtl)
{
    public MicroCommands(MicroEnvironment environment)
        : this((environment ?? throw new ArgumentNullException(nameof(environment))).Registry, environment.Client, environment.Broker, environment.Settings.RegisterTtl)
    {
    }

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>
    /// These commands own the broker's connection (a one-shot CLI process): publish then disconnects it, so what is
    /// buffered is delivered before the process ends. A shared environment (the dashboard, the bot) keeps it open.
    /// </summary>
    public bool OwnsBroker { get; init; }

    /// <summary>Aligned (and, without NO_COLOR, coloured) tables for a person at a terminal; plain tab-separated lines otherwise (pipes, chat, the dashboard).</summary>
    public TableStyle Style { get; init; }

    public async Task<int> ListServicesAsync(TextWriter output, CancellationToken cancellationToken = default)
    {
        var services = await registry.ListServicesAsync(cancellationToken).ConfigureAwait(false);
        foreach (var name in services.Select(s => s.Name).Distinct().Order(StringComparer.Ordinal))
        {
            await output.WriteLineAsync(name).ConfigureAwait(false);
        }

        return 0;
    }

    /// <summary>The registered service names (completion).</summary>
    public async Task<IReadOnlyList<string>> ServiceNamesAsync(CancellationToken cancellationToken = default)
        => (await registry.ListServicesAsync(cancellationToken).ConfigureAwait(false)).Select(s => s.Name).Distinct().Order(StringComparer.Ordinal).ToArray();

    /// <summary>A service's endpoint names (completion).</summary>
    public async Task<IReadOnlyList<string>> EndpointNamesAsync(string service, CancellationToken cancellationToken = default)
        => (await registry.GetServiceAsync(service, cancellationToken).ConfigureAwait(false)).SelectMany(s => s.Endpoints).Select(e => e.Name).Distinct().Order(StringComparer.Ordinal).ToArray();

    public async Task<int> GetServiceAsync(string name, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        var versions = await FindAsync(name, error, cancellationToken).ConfigureAwait(false);
        if (versions is null)
        {
            return 1;
        }

        await output.WriteAsync(ServiceFormatter.FormatService(versions)).ConfigureAwait(false);
        return 0;
    }

    /// <summary>Calls an endpoint with a JSON request and prints the JSON reply (indented unless raw output is asked for).</summary>
    public async Task<int> CallAsync(string service, string endpoint, string? json, CallOptions options, bool raw, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        var body = string.IsNullOrWhiteSpace(json) ? "{}" : json;
        try
        {
            using var _ = JsonDocument.Parse(body);
        }
        catch (JsonException e)
        {
            await error.WriteLineAsync($"error: the request is not valid JSON: {e.Message}").ConfigureAwait(false);
            return 2;
        }

        try
        {
            var reply = await client.CallAsync(new MicroRequest(service, endpoint, Encoding.UTF8.GetBytes(body)), options, cancellationToken).ConfigureAwait(false);
            if (raw)
            {
                await output.WriteAsync(Encoding.UTF8.GetString(reply.Body.Span)).ConfigureAwait(false); // the bytes as received: Go's encoder already ends with \n
            }
            else
            {
                await output.WriteLineAsync(Pretty(reply.Body)).ConfigureAwait(false);
            }
            return 0;
        }
        catch (MicroException e)
        {
            await error.WriteLineAsync("error calling " + service + " " + endpoint + ": " + e.Message).ConfigureAwait(false);
            return 1;
        }
    }

    /// <summary>
    /// Streams with a stream endpoint: sends <paramref name="json"/> when given (server streaming), otherwise every line of
    /// <paramref name="input"/> as a message (client and bidirectional streams), and prints each reply as it arrives.
    /// </summary>
    public async Task<int> StreamAsync(string service, string endpoint, string? json, TextReader input, TextWriter output, TextWriter error, CallOptions? options = null, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var stream = await client.OpenStreamAsync(new MicroRequest(service, endpoint, default), options, cancellationToken).ConfigureAwait(false);
            var sending = Task.Run(async () =>
            {
                if (!string.IsNullOrWhiteSpace(json))
                {
                    await stream.SendAsync(Encoding.UTF8.GetBytes(json), cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    while (await input.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
                    {
                        if (line.Trim().Length > 0)
                        {
                            await stream.SendAsync(Encoding.UTF8.GetBytes(line), cancellationToken).ConfigureAwait(false);
                        }
                    }
                }

                await stream.CompleteAsync(cancellationToken).ConfigureAwait(false);
            }, cancellationToken);
            await foreach (var reply in stream.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                await output.WriteLineAsync(Encoding.UTF8.GetString(reply.Span)).ConfigureAwait(false);
                await output.FlushAsync(cancellationToken).ConfigureAwait(false);
            }

            await sending.ConfigureAwait(false);
            return 0;
        }
        catch (MicroException e)
        {
            await error.WriteLineAsync("error streaming " + service + " " + endpoint + ": " + e.Message).ConfigureAwait(false);
            return 1;
        }
        catch (OperationCanceledException)
        {
            return 130;
        }
    }

    /// <summary>True when <paramref name="address"/> is the address of a node registered for <paramref name="service"/>.</summary>
    public Task<bool> IsNodeOfAsync(string service, string address, CancellationToken cancellationToken = default)
        => registry.HasNodeAtAsync(service, address, cancellationToken);

    /// <summary>Calls Debug.Health on every node of a service; fails when any node is not ok.</summary>
    public async Task<int> HealthAsync(string service, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        var versions = await FindAsync(service, error, cancellationToken).ConfigureAwait(false);
        if (versions is null)
        {
            return 1;
        }

        var healthy = true;
        var rows = new List<IReadOnlyList<(string, string?)>>();
        foreach (var version in versions)
        {
            var checks = version.Nodes.Select(async node =>
            {
                try
                {
                    var reply = await client.CallAsync<HealthRequest, HealthResponse>(service, "Debug.Health", new HealthRequest(),
                        new CallOptions { Address = node.Address, Retries = 0 }, cancellationToken).ConfigureAwait(false);
                    return (node, status: reply.Status, ok: reply.Status == "ok");
                }
                catch (MicroException e)
                {
                    return (node, status: e.Detail, ok: false);
                }
            }).ToArray();
            foreach (var (node, status, ok) in await Task.WhenAll(checks).ConfigureAwait(false))
            {
                healthy &= ok;
                rows.Add([TextTable.Cell(node.Id), TextTable.Cell(version.Version), TextTable.Cell(node.Address), (status, ok ? TextTable.Green : TextTable.Red)]);
            }
        }

        await TextTable.WriteAsync(output, Style, ["node", "version", "address", "status"], rows).ConfigureAwait(false);
        return healthy ? 0 : 1;
    }

    /// <summary>Calls Debug.Stats on every node of a service and prints them as a table.</summary>
    public async Task<int> StatsAsync(string service, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        var versions = await FindAsync(service, error, cancellationToken).ConfigureAwait(false);
        if (versions is null)
        {
            return 1;
        }

        var failed = false;
        var checks = versions.SelectMany(v => v.Nodes.Select(n => (Version: v.Version, Node: n))).Select(async x =>
        {
            try
            {
                var stats = await client.CallAsync<StatsRequest, StatsResponse>(service, "Debug.Stats", new StatsRequest(),
                    new CallOptions { Address = x.Node.Address, Retries = 0 }, cancellationToken).ConfigureAwait(false);
                return (x.Node, x.Version, stats, error: (string?)null);
            }
            catch (MicroException e)
            {
                return (x.Node, x.Version, stats: (StatsResponse?)null, error: e.Detail);
            }
        }).ToArray();
        var rows = new List<IReadOnlyList<(string, string?)>>();
        foreach (var (node, version, stats, problem) in await Task.WhenAll(checks).ConfigureAwait(false))
        {
            if (stats is null)
            {
                failed = true;
                rows.Add([TextTable.Cell(node.Id), TextTable.Cell(version), TextTable.Cell(node.Address), ("-", null), ("-", null), ("-", null), ("-", null), (problem ?? "failed", TextTable.Red)]);
                continue;
            }

            var started = DateTimeOffset.FromUnixTimeSeconds((long)stats.Started).ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);
            rows.Add([TextTable.Cell(node.Id), TextTable.Cell(version), TextTable.Cell(node.Address), TextTable.Cell(started), TextTable.Cell(Uptime(stats.Uptime)),
                TextTable.Cell($"{stats.Memory / (1024.0 * 1024.0):0.0} MiB"), TextTable.Cell(stats.Threads.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                (Gc(stats), null)]);
        }

        await TextTable.WriteAsync(output, Style, ["node", "version", "address", "started", "uptime", "memory", "threads", "gc"], rows).ConfigureAwait(false);
        return failed ? 1 : 0;
    }

    private static string Uptime(ulong seconds)
    {
        var t = TimeSpan.FromSeconds(seconds);
        return t.TotalDays >= 1 ? $"{(int)t.TotalDays}d{t.Hours}h" : t.TotalHours >= 1 ? $"{(int)t.TotalHours}h{t.Minutes}m" : $"{(int)t.TotalMinutes}m{t.Seconds}s";
    }

    private static string Gc(StatsResponse stats)
        => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{stats.GcCount} collections, {stats.Gc / 1_000_000.0:0.0} ms paused");

    /// <summary>Registers a service given as go-micro's service JSON (with its nodes) for the configured TTL.</summary>
    public async Task<int> RegisterAsync(string json, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        if (ParseService(json, out var problem) is not { } service)
        {
            await error.WriteLineAsync("error: " + problem).ConfigureAwait(false);
            return 2;
        }

        await registry.RegisterAsync(service, registerTtl, cancellationToken).ConfigureAwait(false);
        await output.WriteLineAsync($"registered {service.Name} ({service.Nodes.Count} node(s)) in the {registry.Name} registry for {registerTtl.TotalSeconds:0} s").ConfigureAwait(false);
        return 0;
    }

    /// <summary>Deregisters the nodes named in a service JSON.</summary>
    public async Task<int> DeregisterAsync(string json, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        if (ParseService(json, out var problem) is not { } service)
        {
            await error.WriteLineAsync("error: " + problem).ConfigureAwait(false);
            return 2;
        }

        await registry.DeregisterAsync(service, cancellationToken).ConfigureAwait(false);
        await output.WriteLineAsync($"deregistered {service.Nodes.Count} node(s) of {service.Name} from the {registry.Name} registry").ConfigureAwait(false);
        return 0;
    }

    private static Registry.Service? ParseService(string json, out string problem)
    {
        problem = "";
        Registry.Service? service;
        try
        {
            service = JsonSerializer.Deserialize(json, Registry.RegistryJsonContext.Default.Service);
        }
        catch (JsonException e)
        {
            problem = $"the service is not valid JSON: {e.Message}";
            return null;
        }

        if (service is null || string.IsNullOrWhiteSpace(service.Name))
        {
            problem = "the service JSON needs a \"name\"";
            return null;
        }

        if (service.Nodes.Count == 0 || service.Nodes.Any(n => string.IsNullOrWhiteSpace(n.Id) || string.IsNullOrWhiteSpace(n.Address)))
        {
            problem = "the service JSON needs \"nodes\", each with an \"id\" and an \"address\"";
            return null;
        }

        if (!NodeAddress.AreValid(service, out problem))
        {
            return null;
        }

        return service;
    }

    /// <summary>Publishes a JSON message to a topic through the configured broker.</summary>
    public async Task<int> PublishAsync(string topic, string? json, IReadOnlyDictionary<string, string>? metadata, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        var body = string.IsNullOrWhiteSpace(json) ? "{}" : json;
        try
        {
            using var _ = JsonDocument.Parse(body);
        }
        catch (JsonException e)
        {
            await error.WriteLineAsync($"error: the message is not valid JSON: {e.Message}").ConfigureAwait(false);
            return 2;
        }

        try
        {
            await client.PublishAsync(new MicroMessage(topic, Encoding.UTF8.GetBytes(body)), new PublishOptions { Metadata = metadata }, cancellationToken).ConfigureAwait(false);
            if (OwnsBroker)
            {
                await broker.DisconnectAsync(cancellationToken).ConfigureAwait(false); // delivers what is buffered before the process ends
            }

            await output.WriteLineAsync($"published to {topic} on the {broker.Name} broker").ConfigureAwait(false);
            return 0;
        }
        catch (Exception e) when (e is MicroException or InvalidOperationException)
        {
            await error.WriteLineAsync($"error publishing to {topic}: {e.Message}").ConfigureAwait(false);
            return 1;
        }
    }

    /// <summary>Prints each message of a topic as it arrives (headers, then the body), until cancelled.</summary>
    public async Task<int> SubscribeAsync(string topic, string? queue, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        var gate = new SemaphoreSlim(1, 1);
        Broker.ISubscription subscription;
        try
        {
            subscription = await broker.SubscribeAsync(topic, async (delivery, ct) =>
            {
                await gate.WaitAsync(ct).ConfigureAwait(false);
                try
                {
                    var headers = string.Join(" ", delivery.Message.Headers.OrderBy(h => h.Key, StringComparer.Ordinal).Select(h => h.Key + "=" + h.Value));
                    await output.WriteLineAsync($"{delivery.Topic} [{headers}]").ConfigureAwait(false);
                    await output.WriteLineAsync(Encoding.UTF8.GetString(delivery.Message.Body.Span)).ConfigureAwait(false);
                    await output.FlushAsync(ct).ConfigureAwait(false);
                }
                finally
                {
                    gate.Release();
                }
            }, Broker.SubscribeOptions.Default with { Queue = queue }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is InvalidOperationException or MicroException)
        {
            await error.WriteLineAsync($"error subscribing to {topic}: {e.Message}").ConfigureAwait(false);
            return 1;
        }

        await error.WriteLineAsync($"subscribed to {topic}{(queue is null ? "" : $" (queue {queue})")} on the {broker.Name} broker; Ctrl-C to stop").ConfigureAwait(false);
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        await subscription.DisposeAsync().ConfigureAwait(false);
        return 0;
    }

    /// <summary>The service's versions, or null after saying on <paramref name="error"/> that it is not registered.</summary>
    private async Task<IReadOnlyList<Registry.Service>?> FindAsync(string name, TextWriter error, CancellationToken cancellationToken)
    {
        var versions = await registry.GetServiceAsync(name, cancellationToken).ConfigureAwait(false);
        if (versions.Count > 0)
        {
            return versions;
        }

        await error.WriteLineAsync($"service {name} not found in the {registry.Name} registry").ConfigureAwait(false);
        return null;
    }

    private static string Pretty(ReadOnlyMemory<byte> json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            return JsonSerializer.Serialize(doc.RootElement, Indented);
        }
        catch (JsonException)
        {
            return Encoding.UTF8.GetString(json.Span);
        }
    }
}
