using System.Net;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Micro.TestFixtures;

/// <summary>
/// A stand-in for the few Kubernetes API endpoints the registry uses, written from the API reference (no cluster can run
/// here): list pods with an equality label selector, watch them (ADDED for existing pods first, then MODIFIED/DELETED,
/// DELETED also when a pod stops matching), and JSON-merge-patch a pod's labels and annotations. Pods are created and
/// deleted by the test, as a kubelet would.
/// </summary>
public sealed class KubernetesStandIn : IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, JsonObject> _pods = new(StringComparer.Ordinal);
    private readonly List<Watch> _watches = [];
    private WebApplication? _app;
    private long _version = 1;

    public string Url { get; private set; } = "";

    public async Task StartAsync()
    {
        var (app, address) = await Micro.Transport.Http.KestrelEndpoint.StartAsync(new IPEndPoint(IPAddress.Loopback, 0), a =>
        {
            a.MapGet("/api/v1/namespaces/{ns}/pods", ListAsync);
            a.MapMethods("/api/v1/namespaces/{ns}/pods/{name}", ["PATCH"], PatchAsync);
        });
        Url = "http://" + address;
        _app = app;
    }

    public void AddPod(string name, string ns = "default")
        => Publish(name, () =>
        {
            _pods[ns + "/" + name] = new JsonObject
            {
                ["apiVersion"] = "v1",
                ["kind"] = "Pod",
                ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns, ["labels"] = new JsonObject(), ["annotations"] = new JsonObject() },
                ["status"] = new JsonObject { ["phase"] = "Running" },
            };
            return ns + "/" + name;
        });

    public void DeletePod(string name, string ns = "default")
    {
        lock (_gate)
        {
            if (_pods.Remove(ns + "/" + name, out var pod))
            {
                Stamp(pod);
                foreach (var w in _watches)
                {
                    w.Send(pod, wasMatching: true);
                }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            foreach (var w in _watches)
            {
                w.Events.Writer.TryComplete();
            }
        }

        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    private async Task PatchAsync(HttpContext context, string ns, string name)
    {
        var patch = JsonNode.Parse(await new StreamReader(context.Request.Body).ReadToEndAsync())?.AsObject();
        JsonObject? result = null;
        Publish(name, () =>
        {
            if (!_pods.TryGetValue(ns + "/" + name, out var pod))
            {
                return null;
            }

            Merge(pod, patch ?? []);
            result = pod;
            return ns + "/" + name;
        });
        if (result is null)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            await context.Response.WriteAsJsonAsync(new JsonObject { ["kind"] = "Status", ["status"] = "Failure", ["message"] = $"pods \"{name}\" not found", ["reason"] = "NotFound", ["code"] = 404 });
            return;
        }

        string json;
        lock (_gate)
        {
            json = result.ToJsonString();
        }

        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(json);
    }

    private async Task ListAsync(HttpContext context, string ns)
    {
        var selector = ParseSelector(context.Request.Query["labelSelector"].ToString());
        if (context.Request.Query["watch"] == "true" || context.Request.Query["watch"] == "1")
        {
            await WatchAsync(context, ns, selector);
            return;
        }

        JsonArray items;
        lock (_gate)
        {
            items = new JsonArray(_pods.Values.Where(p => InNamespace(p, ns) && Matches(p, selector)).Select(p => p.DeepClone()).ToArray());
        }

        await context.Response.WriteAsJsonAsync(new JsonObject
        {
            ["apiVersion"] = "v1", ["kind"] = "PodList",
            ["metadata"] = new JsonObject { ["resourceVersion"] = Interlocked.Read(ref _version).ToString(System.Globalization.CultureInfo.InvariantCulture) },
            ["items"] = items,
        });
    }

    private async Task WatchAsync(HttpContext context, string ns, Dictionary<string, string> selector)
    {
        var watch = new Watch(ns, selector);
        lock (_gate)
        {
            foreach (var pod in _pods.Values.Where(p => InNamespace(p, ns) && Matches(p, selector)))
            {
                watch.Events.Writer.TryWrite(Event("ADDED", pod));
            }

            _watches.Add(watch);
        }

        context.Response.ContentType = "application/json";
        await context.Response.Body.FlushAsync();
        try
        {
            await foreach (var line in watch.Events.Reader.ReadAllAsync(context.RequestAborted))
            {
                await context.Response.WriteAsync(line + "\n", context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
            }
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            lock (_gate)
            {
                _watches.Remove(watch);
            }
        }
    }

    /// <summary>Applies a change to a pod and tells every watch what it means for its selector.</summary>
    private void Publish(string name, Func<string?> change)
    {
        lock (_gate)
        {
            var before = _pods.ToDictionary(p => p.Key, p => _watches.Select(w => InNamespace(p.Value, w.Namespace) && Matches(p.Value, w.Selector)).ToArray());
            var key = change();
            if (key is null || !_pods.TryGetValue(key, out var pod))
            {
                return;
            }

            Stamp(pod);
            for (var i = 0; i < _watches.Count; i++)
            {
                var was = before.TryGetValue(key, out var flags) && flags[i];
                _watches[i].Send(pod, was);
            }
        }
    }

    private void Stamp(JsonObject pod)
        => pod["metadata"]!["resourceVersion"] = Interlocked.Increment(ref _version).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static string Event(string type, JsonObject pod) => new JsonObject { ["type"] = type, ["object"] = pod.DeepClone() }.ToJsonString();

    /// <summary>RFC 7386 JSON merge patch: objects merge, null deletes, anything else replaces.</summary>
    private static void Merge(JsonObject target, JsonObject patch)
    {
        foreach (var (key, value) in patch.ToArray())
        {
            if (value is null)
            {
                target.Remove(key);
            }
            else if (value is JsonObject child && target[key] is JsonObject existing)
            {
                Merge(existing, child);
            }
            else
            {
                target[key] = value.DeepClone();
            }
        }
    }

    private static Dictionary<string, string> ParseSelector(string selector)
        => selector.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(p => p.Split('=', 2)).ToDictionary(p => p[0].Trim(), p => p.Length > 1 ? p[1].Trim() : "");

    private static bool InNamespace(JsonObject pod, string ns) => pod["metadata"]?["namespace"]?.GetValue<string>() == ns;

    private static bool Matches(JsonObject pod, Dictionary<string, string> selector)
        => selector.All(kv => pod["metadata"]?["labels"]?[kv.Key]?.GetValue<string>() == kv.Value);

    private sealed class Watch(string ns, Dictionary<string, string> selector)
    {
        public string Namespace { get; } = ns;

        public Dictionary<string, string> Selector { get; } = selector;

        public Channel<string> Events { get; } = Channel.CreateUnbounded<string>();

        public void Send(JsonObject pod, bool wasMatching)
        {
            var exists = pod["metadata"] is not null;
            var matches = InNamespace(pod, Namespace) && Matches(pod, Selector);
            var type = !wasMatching && matches ? "ADDED" : wasMatching && matches ? "MODIFIED" : wasMatching ? "DELETED" : null;
            if (type is not null && exists)
            {
                Events.Writer.TryWrite(Event(type, pod));
            }
        }
    }
}
