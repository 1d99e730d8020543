using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using Micro.Registry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Micro.Consul;

/// <summary>
/// Registry on Consul's agent HTTP API, go-micro's way: one agent service registration per node (ID = node id,
/// Name = service) with a TTL check passed at every re-registration (<c>DeregisterCriticalServiceAfter</c> =
/// max(TTL, 1 min) + 5 s); metadata, endpoints and version ride in tags (<see cref="ConsulTags"/>). Reads use
/// <c>/v1/health/service/&lt;name&gt;</c> and drop nodes with a critical check; watches use blocking queries
/// (<c>index</c>/<c>wait</c>). Only documented endpoints of the API are used.
/// </summary>
public sealed class ConsulRegistry : IRegistry
{
    private static readonly TimeSpan WatchWait = TimeSpan.FromSeconds(5);
    private readonly HttpClient _http;
    private readonly ILogger _logger;

    /// <param name="address">Consul's HTTP API, e.g. <c>127.0.0.1:8500</c>.</param>
    /// <param name="logger">Where problems are said.</param>
    /// <param name="token"><c>--registry_token</c>: the ACL token every request carries (<c>X-Consul-Token</c>); never logged.</param>
    /// <param name="tls"><c>--registry_tls_*</c>: HTTPS to Consul with the given CA and client certificate.</param>
    public ConsulRegistry(string? address = null, ILogger<ConsulRegistry>? logger = null, string? token = null, Micro.Transport.TransportTls? tls = null)
    {
        var first = string.IsNullOrWhiteSpace(address) ? "127.0.0.1:8500" : address.Split(',', StringSplitOptions.TrimEntries)[0];
        var handler = new SocketsHttpHandler();
        tls?.ConfigureClient(handler.SslOptions);
        _http = new HttpClient(handler) { BaseAddress = new Uri(first.Contains("://", StringComparison.Ordinal) ? first : (tls is null ? "http://" : "https://") + first), Timeout = TimeSpan.FromSeconds(30) };
        if (!string.IsNullOrEmpty(token))
        {
            _http.DefaultRequestHeaders.TryAddWithoutValidation("X-Consul-Token", token);
        }

        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    public string Name => "consul";

    public async ValueTask RegisterAsync(Service service, TimeSpan ttl, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(service);
        if (service.Nodes.Count == 0)
        {
            throw new ArgumentException($"Service '{service.Name}' has no nodes to register.", nameof(service));
        }

        var seconds = Math.Max(1, (int)Math.Ceiling(ttl.TotalSeconds));
        var deregisterAfter = Math.Max(seconds, 60) + 5;
        foreach (var node in service.Nodes)
        {
            var (host, port) = SplitAddress(node.Address);
            var registration = new AgentServiceRegistration(node.Id, service.Name, ConsulTags.Encode(service, node), host, port,
                new AgentServiceCheck($"{seconds}s", $"{deregisterAfter}s"));
            await SendAsync(HttpMethod.Put, "/v1/agent/service/register", JsonContent.Create(registration, ConsulJsonContext.Default.AgentServiceRegistration), cancellationToken).ConfigureAwait(false);
            await SendAsync(HttpMethod.Put, "/v1/agent/check/pass/service:" + Uri.EscapeDataString(node.Id), null, cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask DeregisterAsync(Service service, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(service);
        foreach (var node in service.Nodes)
        {
            await SendAsync(HttpMethod.Put, "/v1/agent/service/deregister/" + Uri.EscapeDataString(node.Id), null, cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask<IReadOnlyList<Service>> GetServiceAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var (entries, _) = await HealthAsync(name, 0, cancellationToken).ConfigureAwait(false);
        return ToServices(name, entries);
    }

    public async ValueTask<IReadOnlyList<Service>> ListServicesAsync(CancellationToken cancellationToken = default)
    {
        var (names, _) = await CatalogAsync(0, cancellationToken).ConfigureAwait(false);
        var result = new List<Service>();
        foreach (var name in names.Where(n => n != "consul"))
        {
            result.AddRange(await GetServiceAsync(name, cancellationToken).ConfigureAwait(false));
        }

        return result;
    }

    public IAsyncEnumerable<RegistryEvent> WatchAsync(string? service = null, CancellationToken cancellationToken = default) => WatchAsync(service, null, cancellationToken);

    public async IAsyncEnumerable<RegistryEvent> WatchAsync(string? service, Action? established, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var known = new Dictionary<string, (Service Service, string Fingerprint)>(StringComparer.Ordinal);
        ulong index = 0;
        var first = true;
        while (!cancellationToken.IsCancellationRequested)
        {
            Dictionary<string, (Service, string)> now;
            try
            {
                (now, index) = await SnapshotAsync(service, index, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                yield break;
            }
            catch (Exception e) when (e is HttpRequestException or InvalidOperationException or TaskCanceledException)
            {
                _logger.LogDebug(e, "Consul watch failed; retrying");
                index = 0;
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    yield break;
                }

                continue;
            }

            if (!first)
            {
                foreach (var (key, (svc, fingerprint)) in now)
                {
                    if (!known.TryGetValue(key, out var before))
                    {
                        yield return new RegistryEvent(RegistryAction.Create, svc, DateTimeOffset.UtcNow);
                    }
                    else if (before.Fingerprint != fingerprint)
                    {
                        yield return new RegistryEvent(RegistryAction.Update, svc, DateTimeOffset.UtcNow);
                    }
                }

                foreach (var (key, (svc, _)) in known)
                {
                    if (!now.ContainsKey(key))
                    {
                        yield return new RegistryEvent(RegistryAction.Delete, svc, DateTimeOffset.UtcNow);
                    }
                }
            }

            if (first)
            {
                established?.Invoke(); // the next blocking query waits from this index: every later change returns it
            }

            first = false;
            known = now;
        }
    }

    public ValueTask DisposeAsync()
    {
        _http.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>Every live node (one single-node service each) after the registry's index passes <paramref name="index"/>.</summary>
    private async Task<(Dictionary<string, (Service, string)> Nodes, ulong Index)> SnapshotAsync(string? service, ulong index, CancellationToken cancellationToken)
    {
        var nodes = new Dictionary<string, (Service, string)>(StringComparer.Ordinal);
        ulong next;
        IEnumerable<string> names;
        if (service is not null)
        {
            var (entries, i) = await HealthAsync(service, index, cancellationToken).ConfigureAwait(false);
            next = i;
            Add(service, entries);
            return (nodes, next);
        }

        (names, next) = await CatalogAsync(index, cancellationToken).ConfigureAwait(false);
        foreach (var name in names.Where(n => n != "consul"))
        {
            var (entries, _) = await HealthAsync(name, 0, cancellationToken).ConfigureAwait(false);
            Add(name, entries);
        }

        return (nodes, next);

        void Add(string name, List<ServiceEntry> entries)
        {
            foreach (var svc in ToServices(name, entries).SelectMany(ServiceMerger.SplitNodes))
            {
                nodes[name + "\n" + svc.Nodes[0].Id] = (svc, System.Text.Json.JsonSerializer.Serialize(svc, RegistryJsonContext.Default.Service));
            }
        }
    }

    private static IReadOnlyList<Service> ToServices(string name, List<ServiceEntry> entries)
    {
        var services = new List<Service>();
        foreach (var entry in entries)
        {
            if (entry.Service is not { } s || entry.Checks?.Any(c => c.Status == "critical") == true)
            {
                continue; // not passing its TTL check: treated as gone
            }

            var (metadata, endpoints, version) = ConsulTags.Decode(s.Tags);
            var host = string.IsNullOrEmpty(s.Address) ? entry.Node?.Address ?? "" : s.Address;
            services.Add(new Service
            {
                Name = name,
                Version = version,
                Endpoints = endpoints,
                Nodes = [new Node { Id = s.Id, Address = FormatAddress(host, s.Port), Metadata = metadata }],
            });
        }

        return ServiceMerger.Merge(services);
    }

    private async Task<(List<ServiceEntry> Entries, ulong Index)> HealthAsync(string name, ulong index, CancellationToken cancellationToken)
    {
        var url = "/v1/health/service/" + Uri.EscapeDataString(name) + Blocking(index);
        using var response = await GetAsync(url, cancellationToken).ConfigureAwait(false);
        var entries = await response.Content.ReadFromJsonAsync(ConsulJsonContext.Default.ListServiceEntry, cancellationToken).ConfigureAwait(false) ?? [];
        return (entries, IndexOf(response));
    }

    private async Task<(IEnumerable<string> Names, ulong Index)> CatalogAsync(ulong index, CancellationToken cancellationToken)
    {
        using var response = await GetAsync("/v1/catalog/services" + Blocking(index), cancellationToken).ConfigureAwait(false);
        var services = await response.Content.ReadFromJsonAsync(ConsulJsonContext.Default.DictionaryStringListString, cancellationToken).ConfigureAwait(false) ?? [];
        return (services.Keys, IndexOf(response));
    }

    private static string Blocking(ulong index)
        => index == 0 ? "" : $"?index={index.ToString(CultureInfo.InvariantCulture)}&wait={(int)WatchWait.TotalSeconds}s";

    private static ulong IndexOf(HttpResponseMessage response)
        => response.Headers.TryGetValues("X-Consul-Index", out var values) && ulong.TryParse(values.FirstOrDefault(), out var i) ? i : 0;

    private async Task<HttpResponseMessage> GetAsync(string url, CancellationToken cancellationToken)
    {
        var response = await _http.GetAsync(url, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            response.Dispose();
            throw new InvalidOperationException($"consul GET {url}: {(int)response.StatusCode} {text}".Trim());
        }

        return response;
    }

    private async Task SendAsync(HttpMethod method, string url, HttpContent? content, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, url) { Content = content };
        using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            throw new InvalidOperationException($"consul {method} {url}: {(int)response.StatusCode} {text}".Trim());
        }
    }

    private static (string Host, int Port) SplitAddress(string address)
    {
        var colon = address.LastIndexOf(':');
        return colon > 0 && int.TryParse(address.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port)
            ? (address[..colon].Trim('[', ']'), port)
            : (address, 0);
    }

    private static string FormatAddress(string host, int port)
        => port == 0 ? host : host.Contains(':', StringComparison.Ordinal) ? $"[{host}]:{port}" : $"{host}:{port}";
}
