using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Micro.TestFixtures;

/// <summary>
/// A stand-in for the few Consul HTTP endpoints Micro uses, written from Consul's API documentation (no Consul server can
/// be installed here): agent service register/deregister, TTL check pass, health service (with blocking queries) and
/// catalog services. TTL checks start critical, turn passing when passed, turn critical when a pass is overdue, and the
/// service is removed once critical for its DeregisterCriticalServiceAfter. Every change raises X-Consul-Index.
/// </summary>
public sealed class ConsulStandIn : IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Registration> _services = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private WebApplication? _app;
    private Task? _reaper;
    private ulong _index = 1;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Address { get; private set; } = "";

    /// <summary>When set, requests must carry it as <c>X-Consul-Token</c> (Consul's ACLs); others get Consul's 403 "ACL not found".</summary>
    public string? RequiredToken { get; init; }

    /// <summary>Raw registration bodies as received (for checking what a client sends).</summary>
    public List<string> RegisterBodies { get; } = [];

    public async Task StartAsync()
    {
        var (app, address) = await Micro.Transport.Http.KestrelEndpoint.StartAsync(new IPEndPoint(IPAddress.Loopback, 0), a =>
        {
            a.Use(async (context, next) =>
            {
                if (RequiredToken is not null && context.Request.Headers["X-Consul-Token"] != RequiredToken)
                {
                    context.Response.StatusCode = StatusCodes.Status403Forbidden;
                    await context.Response.WriteAsync("ACL not found");
                    return;
                }

                await next();
            });
            a.MapPut("/v1/agent/service/register", (Delegate)RegisterAsync);
            a.MapPut("/v1/agent/service/deregister/{id}", (string id) => Change(() => _services.Remove(id)) ? Results.Ok() : Results.NotFound($"Unknown service ID \"{id}\""));
            a.MapPut("/v1/agent/check/pass/{checkId}", Pass);
            a.MapGet("/v1/health/service/{name}", HealthAsync);
            a.MapGet("/v1/catalog/services", CatalogAsync);
        });
        Address = address;
        _app = app;
        _reaper = Task.Run(ReapAsync);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_reaper is not null)
        {
            await _reaper;
        }

        if (_app is not null)
        {
            await _app.DisposeAsync();
        }

        _stop.Dispose();
    }

    private async Task<IResult> RegisterAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var text = await reader.ReadToEndAsync();
        lock (_gate)
        {
            RegisterBodies.Add(text);
        }

        var json = JsonNode.Parse(text)?.AsObject();
        var id = json?["ID"]?.GetValue<string>() ?? json?["Name"]?.GetValue<string>();
        var name = json?["Name"]?.GetValue<string>();
        if (id is null || name is null)
        {
            return Results.BadRequest("Missing service name");
        }

        var check = json!["Check"]?.AsObject();
        var registration = new Registration(id, name, json["Tags"]?.AsArray().Select(t => t!.GetValue<string>()).ToList() ?? [],
            json["Address"]?.GetValue<string>() ?? "", json["Port"]?.GetValue<int>() ?? 0,
            Duration(check?["TTL"]?.GetValue<string>()), Duration(check?["DeregisterCriticalServiceAfter"]?.GetValue<string>()));
        Change(() =>
        {
            // Re-registering keeps the check's state, as the agent does for an unchanged check.
            if (_services.TryGetValue(id, out var existing))
            {
                registration.Status = existing.Status;
                registration.LastPass = existing.LastPass;
                registration.CriticalSince = existing.CriticalSince;
            }

            _services[id] = registration;
            return true;
        });
        return Results.Ok();
    }

    private IResult Pass(string checkId)
    {
        var id = checkId.StartsWith("service:", StringComparison.Ordinal) ? checkId[8..] : checkId;
        var found = false;
        Change(() =>
        {
            if (!_services.TryGetValue(id, out var r))
            {
                return false;
            }

            found = true;
            var changed = r.Status != "passing";
            r.Status = "passing";
            r.LastPass = DateTime.UtcNow;
            r.CriticalSince = null;
            return changed;
        });
        return found ? Results.Ok() : Results.NotFound($"Unknown check ID \"{checkId}\"");
    }

    private async Task HealthAsync(HttpContext context, string name)
    {
        var index = await BlockAsync(context);
        JsonArray entries;
        lock (_gate)
        {
            entries = new JsonArray(_services.Values.Where(s => s.Name == name).OrderBy(s => s.Id, StringComparer.Ordinal).Select(s => (JsonNode)new JsonObject
            {
                ["Node"] = new JsonObject { ["Node"] = "stand-in", ["Address"] = "127.0.0.1" },
                ["Service"] = new JsonObject
                {
                    ["ID"] = s.Id, ["Service"] = s.Name, ["Tags"] = new JsonArray(s.Tags.Select(t => (JsonNode)JsonValue.Create(t)!).ToArray()),
                    ["Address"] = s.Address, ["Port"] = s.Port,
                },
                ["Checks"] = new JsonArray(
                    new JsonObject { ["CheckID"] = "serfHealth", ["Status"] = "passing" },
                    new JsonObject { ["CheckID"] = "service:" + s.Id, ["ServiceID"] = s.Id, ["Status"] = s.Status }),
            }).ToArray());
        }

        context.Response.Headers["X-Consul-Index"] = index.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await context.Response.WriteAsJsonAsync(entries);
    }

    private async Task CatalogAsync(HttpContext context)
    {
        var index = await BlockAsync(context);
        var catalog = new JsonObject { ["consul"] = new JsonArray() };
        lock (_gate)
        {
            foreach (var group in _services.Values.GroupBy(s => s.Name))
            {
                catalog[group.Key] = new JsonArray(group.SelectMany(s => s.Tags).Distinct().Select(t => (JsonNode)JsonValue.Create(t)!).ToArray());
            }
        }

        context.Response.Headers["X-Consul-Index"] = index.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await context.Response.WriteAsJsonAsync(catalog);
    }

    /// <summary>A blocking query: waits until the index passes the one asked for, or the wait (default 5 min) ends.</summary>
    private async Task<ulong> BlockAsync(HttpContext context)
    {
        if (!ulong.TryParse(context.Request.Query["index"], out var asked) || asked == 0)
        {
            lock (_gate)
            {
                return _index;
            }
        }

        var wait = Duration(context.Request.Query["wait"].ToString()) is { } w && w > TimeSpan.Zero ? w : TimeSpan.FromMinutes(5);
        var deadline = DateTime.UtcNow + wait;
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                if (_index > asked)
                {
                    return _index;
                }

                changed = _changed.Task;
            }

            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero || context.RequestAborted.IsCancellationRequested)
            {
                lock (_gate)
                {
                    return _index;
                }
            }

            await Task.WhenAny(changed, Task.Delay(left, context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default));
        }
    }

    private bool Change(Func<bool> change)
    {
        lock (_gate)
        {
            if (!change())
            {
                return false;
            }

            _index++;
            _changed.TrySetResult();
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return true;
        }
    }

    private async Task ReapAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var now = DateTime.UtcNow;
            Change(() =>
            {
                var changed = false;
                foreach (var r in _services.Values.ToArray())
                {
                    if (r.Status == "passing" && r.Ttl is { } ttl && r.LastPass + ttl < now)
                    {
                        r.Status = "critical";
                        r.CriticalSince = now;
                        changed = true;
                    }

                    r.CriticalSince ??= r.Status == "critical" ? now : null;
                    if (r.Status == "critical" && r.DeregisterAfter is { } after && r.CriticalSince + after < now)
                    {
                        _services.Remove(r.Id);
                        changed = true;
                    }
                }

                return changed;
            });
            try
            {
                await Task.Delay(100, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private static TimeSpan? Duration(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        var unit = text.TrimStart("0123456789.".ToCharArray());
        var number = double.Parse(text[..^unit.Length], System.Globalization.CultureInfo.InvariantCulture);
        return unit switch
        {
            "ms" => TimeSpan.FromMilliseconds(number),
            "s" or "" => TimeSpan.FromSeconds(number),
            "m" => TimeSpan.FromMinutes(number),
            "h" => TimeSpan.FromHours(number),
            _ => throw new FormatException($"unsupported duration '{text}'"),
        };
    }

    private sealed class Registration(string id, string name, List<string> tags, string address, int port, TimeSpan? ttl, TimeSpan? deregisterAfter)
    {
        public string Id { get; } = id;
        public string Name { get; } = name;
        public List<string> Tags { get; } = tags;
        public string Address { get; } = address;
        public int Port { get; } = port;
        public TimeSpan? Ttl { get; } = ttl;
        public TimeSpan? DeregisterAfter { get; } = deregisterAfter;
        public string Status { get; set; } = "critical"; // TTL checks start critical until first passed
        public DateTime LastPass { get; set; }
        public DateTime? CriticalSince { get; set; }
    }
}
