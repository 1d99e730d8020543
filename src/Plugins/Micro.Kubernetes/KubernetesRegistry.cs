using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Micro.Registry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Micro.Kubernetes;

/// <summary>
/// Registry on the Kubernetes API, go-micro's way: a service patches its own pod (<c>$HOSTNAME</c>) with labels
/// <c>micro.mu/type=service</c> and <c>micro.mu/selector-&lt;svc&gt;=service</c> and an annotation
/// <c>micro.mu/service-&lt;svc&gt;</c> holding the service JSON; lookups list running pods by label selector; watches use
/// the pod watch API. A node lives as long as its pod runs: the TTL has no meaning here, as in go-micro.
/// </summary>
public sealed class KubernetesRegistry : IRegistry
{
    public const string TypeLabel = "micro.mu/type";
    public const string SelectorPrefix = "micro.mu/selector-";
    public const string AnnotationPrefix = "micro.mu/service-";
    private const string ServiceValue = "service";

    private readonly IKubernetes _client;
    private readonly string _namespace;
    private readonly string _podName;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _patchGate = new(1, 1);
    private readonly Dictionary<string, Service> _mine = new(StringComparer.Ordinal); // what this pod registered, by service

    public KubernetesRegistry(IKubernetes client, string @namespace, string podName, ILogger<KubernetesRegistry>? logger = null)
    {
        _client = client ?? throw new ArgumentNullException(nameof(client));
        _namespace = @namespace;
        _podName = podName;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    public string Name => "kubernetes";

    /// <summary>
    /// From <c>--registry_address</c>: an API URL, a kubeconfig path, or nothing for in-cluster configuration.
    /// The pod is <c>$HOSTNAME</c>; the namespace is the pod's own (in cluster), <c>MICRO_KUBERNETES_NAMESPACE</c>, or <c>default</c>.
    /// </summary>
    public static KubernetesRegistry FromAddress(string? address, ILogger<KubernetesRegistry>? logger = null)
    {
        KubernetesClientConfiguration config;
        if (string.IsNullOrWhiteSpace(address))
        {
            if (!KubernetesClientConfiguration.IsInCluster())
            {
                throw new ArgumentException("kubernetes: not running in a cluster; give --registry_address an API URL or a kubeconfig path.");
            }

            config = KubernetesClientConfiguration.InClusterConfig();
        }
        else if (address.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || address.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            config = new KubernetesClientConfiguration { Host = address };
        }
        else
        {
            config = KubernetesClientConfiguration.BuildConfigFromConfigFile(address);
        }

        var ns = Environment.GetEnvironmentVariable("MICRO_KUBERNETES_NAMESPACE") ?? config.Namespace ?? "default";
        var pod = Environment.GetEnvironmentVariable("HOSTNAME") ?? Environment.MachineName;
        return new KubernetesRegistry(new k8s.Kubernetes(config), ns, pod, logger);
    }

    /// <summary>go-micro's label-safe service name: characters outside [-A-Za-z0-9_.] become '_'.</summary>
    public static string LabelName(string service)
    {
        var chars = service.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (!(char.IsAsciiLetterOrDigit(chars[i]) || chars[i] is '-' or '_' or '.'))
            {
                chars[i] = '_';
            }
        }

        return new string(chars);
    }

    public async ValueTask RegisterAsync(Service service, TimeSpan ttl, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(service);
        if (service.Nodes.Count == 0)
        {
            throw new ArgumentException($"Service '{service.Name}' has no nodes to register.", nameof(service));
        }

        await _patchGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // One annotation per service per pod: nodes this pod registered before stay in it.
            var merged = _mine.TryGetValue(service.Name, out var before) && before.Version == service.Version
                ? service with { Nodes = before.Nodes.Where(n => service.Nodes.All(m => m.Id != n.Id)).Concat(service.Nodes).ToArray() }
                : service;
            await PatchAsync(service.Name, merged, cancellationToken).ConfigureAwait(false);
            _mine[service.Name] = merged;
        }
        finally
        {
            _patchGate.Release();
        }
    }

    public async ValueTask DeregisterAsync(Service service, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(service);
        await _patchGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var left = _mine.TryGetValue(service.Name, out var before) ? before.Nodes.Where(n => service.Nodes.All(m => m.Id != n.Id)).ToArray() : [];
            var remaining = left.Length > 0 ? before! with { Nodes = left } : null;
            await PatchAsync(service.Name, remaining, cancellationToken).ConfigureAwait(false);
            if (remaining is null)
            {
                _mine.Remove(service.Name);
            }
            else
            {
                _mine[service.Name] = remaining;
            }
        }
        finally
        {
            _patchGate.Release();
        }
    }

    public async ValueTask<IReadOnlyList<Service>> GetServiceAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var pods = await ListAsync($"{TypeLabel}={ServiceValue},{SelectorPrefix}{LabelName(name)}={ServiceValue}", cancellationToken).ConfigureAwait(false);
        return ServiceMerger.Merge(pods.SelectMany(p => Services(p)).Where(s => s.Name == name));
    }

    public async ValueTask<IReadOnlyList<Service>> ListServicesAsync(CancellationToken cancellationToken = default)
    {
        var pods = await ListAsync($"{TypeLabel}={ServiceValue}", cancellationToken).ConfigureAwait(false);
        return ServiceMerger.Merge(pods.SelectMany(p => Services(p)));
    }

    public IAsyncEnumerable<RegistryEvent> WatchAsync(string? service = null, CancellationToken cancellationToken = default) => WatchAsync(service, null, cancellationToken);

    public async IAsyncEnumerable<RegistryEvent> WatchAsync(string? service, Action? established, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var selector = service is null ? $"{TypeLabel}={ServiceValue}" : $"{TypeLabel}={ServiceValue},{SelectorPrefix}{LabelName(service)}={ServiceValue}";
        var known = new Dictionary<string, Dictionary<string, (Service Service, string Json)>>(StringComparer.Ordinal); // pod → node key → node
        while (!cancellationToken.IsCancellationRequested)
        {
            var events = System.Threading.Channels.Channel.CreateUnbounded<RegistryEvent>();
            async Task ApplyAsync(string pod, Dictionary<string, (Service Service, string Json)> now)
            {
                var before = known.GetValueOrDefault(pod) ?? [];
                foreach (var (node, (svc, json)) in now)
                {
                    if (!before.TryGetValue(node, out var old))
                    {
                        await events.Writer.WriteAsync(new RegistryEvent(RegistryAction.Create, svc, DateTimeOffset.UtcNow), cancellationToken).ConfigureAwait(false);
                    }
                    else if (old.Json != json)
                    {
                        await events.Writer.WriteAsync(new RegistryEvent(RegistryAction.Update, svc, DateTimeOffset.UtcNow), cancellationToken).ConfigureAwait(false);
                    }
                }

                foreach (var (node, (svc, _)) in before)
                {
                    if (!now.ContainsKey(node))
                    {
                        await events.Writer.WriteAsync(new RegistryEvent(RegistryAction.Delete, svc, DateTimeOffset.UtcNow), cancellationToken).ConfigureAwait(false);
                    }
                }

                known[pod] = now;
            }

            var pump = Task.Run(async () =>
            {
                try
                {
                    // List, then watch from the list's version: every change after the list comes through the watch, so
                    // the watch is established once the list is in (and a reconnect catches up on what it missed).
                    var list = await _client.CoreV1.ListNamespacedPodAsync(_namespace, labelSelector: selector, cancellationToken: cancellationToken).ConfigureAwait(false);
                    var listed = list.Items.ToDictionary(p => p.Metadata?.Name ?? "", p => p, StringComparer.Ordinal);
                    foreach (var (pod, value) in listed)
                    {
                        await ApplyAsync(pod, Nodes(value, service)).ConfigureAwait(false);
                    }

                    foreach (var gone in known.Keys.Where(k => !listed.ContainsKey(k)).ToList())
                    {
                        await ApplyAsync(gone, []).ConfigureAwait(false);
                    }

                    established?.Invoke();
                    established = null;
                    await foreach (var (type, pod) in _client.CoreV1.WatchListNamespacedPodAsync(_namespace, labelSelector: selector, resourceVersion: list.Metadata?.ResourceVersion,
                        cancellationToken: cancellationToken).ConfigureAwait(false))
                    {
                        await ApplyAsync(pod.Metadata?.Name ?? "", type == WatchEventType.Deleted ? [] : Nodes(pod, service)).ConfigureAwait(false);
                    }
                }
                finally
                {
                    events.Writer.TryComplete();
                }
            }, CancellationToken.None);

            await foreach (var e in events.Reader.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
            {
                yield return e;
            }

            try
            {
                await pump.ConfigureAwait(false);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is HttpOperationException or HttpRequestException or IOException or OperationCanceledException)
            {
                _logger.LogDebug(e, "Kubernetes pod watch ended; reconnecting");
            }
            catch (OperationCanceledException)
            {
                yield break;
            }

            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                yield break;
            }
        }
    }

    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        _patchGate.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>A JSON merge patch of this pod's labels and annotation for one service (null removes them).</summary>
    private async Task PatchAsync(string service, Service? value, CancellationToken cancellationToken)
    {
        var name = LabelName(service);
        var json = value is null ? null : JsonSerializer.Serialize(value, RegistryJsonContext.Default.Service);
        var patch = new Dictionary<string, object?>
        {
            ["metadata"] = new Dictionary<string, object?>
            {
                ["labels"] = new Dictionary<string, string?> { [TypeLabel] = ServiceValue, [SelectorPrefix + name] = value is null ? null : ServiceValue },
                ["annotations"] = new Dictionary<string, string?> { [AnnotationPrefix + name] = json },
            },
        };
        try
        {
            await _client.CoreV1.PatchNamespacedPodAsync(new V1Patch(JsonSerializer.Serialize(patch), V1Patch.PatchType.MergePatch), _podName, _namespace, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (HttpOperationException e)
        {
            throw new InvalidOperationException($"kubernetes: patching pod {_namespace}/{_podName} failed: {(int)e.Response.StatusCode} {e.Response.Content}", e);
        }
    }

    private async Task<IList<V1Pod>> ListAsync(string selector, CancellationToken cancellationToken)
    {
        try
        {
            return (await _client.CoreV1.ListNamespacedPodAsync(_namespace, labelSelector: selector, cancellationToken: cancellationToken).ConfigureAwait(false)).Items;
        }
        catch (HttpOperationException e)
        {
            throw new InvalidOperationException($"kubernetes: listing pods in {_namespace} failed: {(int)e.Response.StatusCode} {e.Response.Content}", e);
        }
    }

    /// <summary>The services a running pod's annotations hold.</summary>
    private IEnumerable<Service> Services(V1Pod pod)
    {
        if (pod.Status?.Phase != "Running" || pod.Metadata?.Annotations is null)
        {
            yield break;
        }

        foreach (var (key, value) in pod.Metadata.Annotations)
        {
            if (!key.StartsWith(AnnotationPrefix, StringComparison.Ordinal) || string.IsNullOrEmpty(value))
            {
                continue;
            }

            Service? service = null;
            try
            {
                service = JsonSerializer.Deserialize(Encoding.UTF8.GetBytes(value), RegistryJsonContext.Default.Service);
            }
            catch (JsonException e)
            {
                _logger.LogWarning("Ignoring annotation {Key} of pod {Pod}: {Reason}", key, pod.Metadata.Name, e.Message);
            }

            if (service is not null)
            {
                yield return service;
            }
        }
    }

    private Dictionary<string, (Service Service, string Json)> Nodes(V1Pod pod, string? service)
    {
        var nodes = new Dictionary<string, (Service, string)>(StringComparer.Ordinal);
        foreach (var svc in Services(pod).Where(s => service is null || s.Name == service).SelectMany(ServiceMerger.SplitNodes))
        {
            nodes[svc.Name + "\n" + svc.Nodes[0].Id] = (svc, JsonSerializer.Serialize(svc, RegistryJsonContext.Default.Service));
        }

        return nodes;
    }
}
