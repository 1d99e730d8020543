using System.Runtime.CompilerServices;
using System.Text.Json;
using Etcdserverpb;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Micro.Registry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Micro.Etcd;

/// <summary>
/// Registry on etcd v3, in go-micro's layout: key <c>/micro/registry/&lt;service&gt;/&lt;node id&gt;</c> (a '/' in the
/// service name becomes '-'), value = the service JSON holding only that node, attached to a lease of the TTL.
/// Lookups are prefix reads; watches use etcd's watch API from the last revision seen, so a reconnect misses nothing.
/// Several endpoints may be given: a call that cannot reach one moves on to the next.
/// </summary>
public sealed class EtcdRegistry : IRegistry
{
    public const string Prefix = "/micro/registry/";
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(5);

    private readonly string[] _endpoints;
    private readonly GrpcChannel?[] _channels;
    private readonly ILogger _logger;
    private readonly Dictionary<string, long> _leases = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private readonly EtcdOptions _options;
    private readonly SemaphoreSlim _authGate = new(1, 1);
    private volatile string? _token;
    private int _current;

    public EtcdRegistry(IReadOnlyList<string> endpoints, ILogger<EtcdRegistry>? logger = null, EtcdOptions? options = null)
    {
        if (endpoints.Count == 0)
        {
            throw new ArgumentException("etcd: at least one endpoint (host:port) is needed.", nameof(endpoints));
        }

        _options = options ?? EtcdOptions.Default;
        if (_options.Username is null != _options.Password is null)
        {
            throw new ArgumentException("etcd: --registry_username and --registry_password go together.");
        }

        var scheme = _options.Tls is null ? "http://" : "https://";
        _endpoints = endpoints.Select(e => e.Contains("://", StringComparison.Ordinal) ? e : scheme + e).ToArray();
        _channels = new GrpcChannel?[_endpoints.Length];
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    public string Name => "etcd";

    /// <summary>Endpoints from <c>--registry_address</c> (comma-separated; default <c>127.0.0.1:2379</c>).</summary>
    public static IReadOnlyList<string> Endpoints(string? address)
        => string.IsNullOrWhiteSpace(address) ? ["127.0.0.1:2379"] : address.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public static string NodeKey(string service, string nodeId) => Prefix + service.Replace('/', '-') + "/" + nodeId;

    public static string ServicePrefix(string service) => Prefix + service.Replace('/', '-') + "/";

    public async ValueTask RegisterAsync(Service service, TimeSpan ttl, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(service);
        if (service.Nodes.Count == 0)
        {
            throw new ArgumentException($"Service '{service.Name}' has no nodes to register.", nameof(service));
        }

        var seconds = Math.Max(1, (long)Math.Ceiling(ttl.TotalSeconds));
        foreach (var single in ServiceMerger.SplitNodes(service))
        {
            var key = NodeKey(single.Name, single.Nodes[0].Id);
            var value = JsonSerializer.SerializeToUtf8Bytes(single, RegistryJsonContext.Default.Service);
            var lease = await CallAsync(i => new Lease.LeaseClient(i).LeaseGrantAsync(new LeaseGrantRequest { TTL = seconds }, Options(cancellationToken)).ResponseAsync, cancellationToken).ConfigureAwait(false);
            await CallAsync(i => new KV.KVClient(i).PutAsync(new PutRequest { Key = ByteString.CopyFromUtf8(key), Value = ByteString.CopyFrom(value), Lease = lease.ID }, Options(cancellationToken)).ResponseAsync, cancellationToken).ConfigureAwait(false);
            long previous;
            lock (_gate)
            {
                _leases.TryGetValue(key, out previous);
                _leases[key] = lease.ID;
            }

            if (previous != 0)
            {
                await RevokeAsync(previous).ConfigureAwait(false); // the key lives on the new lease now
            }
        }
    }

    public async ValueTask DeregisterAsync(Service service, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(service);
        foreach (var node in service.Nodes)
        {
            var key = NodeKey(service.Name, node.Id);
            await CallAsync(i => new KV.KVClient(i).DeleteRangeAsync(new DeleteRangeRequest { Key = ByteString.CopyFromUtf8(key) }, Options(cancellationToken)).ResponseAsync, cancellationToken).ConfigureAwait(false);
            long lease;
            lock (_gate)
            {
                _leases.Remove(key, out lease);
            }

            if (lease != 0)
            {
                await RevokeAsync(lease).ConfigureAwait(false);
            }
        }
    }

    public async ValueTask<IReadOnlyList<Service>> GetServiceAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return ServiceMerger.Merge((await ReadPrefixAsync(ServicePrefix(name), cancellationToken).ConfigureAwait(false)).Where(s => s.Name == name));
    }

    public async ValueTask<IReadOnlyList<Service>> ListServicesAsync(CancellationToken cancellationToken = default)
        => ServiceMerger.Merge(await ReadPrefixAsync(Prefix, cancellationToken).ConfigureAwait(false));

    public IAsyncEnumerable<RegistryEvent> WatchAsync(string? service = null, CancellationToken cancellationToken = default) => WatchAsync(service, null, cancellationToken);

    public async IAsyncEnumerable<RegistryEvent> WatchAsync(string? service, Action? established, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var prefix = service is null ? Prefix : ServicePrefix(service);
        long nextRevision = 0;
        var loggedOutage = false;
        while (!cancellationToken.IsCancellationRequested)
        {
            var events = System.Threading.Channels.Channel.CreateUnbounded<RegistryEvent>();
            var pump = PumpWatchAsync(prefix, service, nextRevision, events.Writer, r => nextRevision = r, () =>
            {
                established?.Invoke(); // once: a reconnect resumes from the last revision seen, so nothing is missed
                established = null;
            }, cancellationToken);
            await foreach (var e in events.Reader.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
            {
                loggedOutage = false;
                yield return e;
            }

            try
            {
                await pump.ConfigureAwait(false);
            }
            catch (Exception e) when (cancellationToken.IsCancellationRequested && e is OperationCanceledException or RpcException or IOException or HttpRequestException)
            {
                // Our own stop (gRPC reports it as Status Cancelled): not an outage.
                _logger.LogDebug("etcd watch on {Prefix} stopped", prefix);
                yield break;
            }
            catch (Exception e) when (e is RpcException or IOException or HttpRequestException)
            {
                if (!loggedOutage)
                {
                    _logger.LogWarning("etcd watch on {Prefix} lost ({Reason}); reconnecting", prefix, e.Message);
                    loggedOutage = true;
                }

                Rotate();
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
        foreach (var channel in _channels)
        {
            channel?.Dispose();
        }

        return ValueTask.CompletedTask;
    }

    private async Task PumpWatchAsync(string prefix, string? service, long fromRevision, System.Threading.Channels.ChannelWriter<RegistryEvent> events, Action<long> seen, Action created, CancellationToken cancellationToken)
    {
        try
        {
            await EnsureTokenAsync(cancellationToken).ConfigureAwait(false);
            using var call = new Watch.WatchClient(Invoker()).Watch(headers: TokenHeaders(), cancellationToken: cancellationToken);
            await call.RequestStream.WriteAsync(new WatchRequest
            {
                CreateRequest = new WatchCreateRequest { Key = ByteString.CopyFromUtf8(prefix), RangeEnd = ByteString.CopyFromUtf8(RangeEnd(prefix)), PrevKv = true, StartRevision = fromRevision },
            }, cancellationToken).ConfigureAwait(false);
            await foreach (var response in call.ResponseStream.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                if (response.Canceled)
                {
                    throw new RpcException(new Status(StatusCode.Aborted, "watch cancelled by etcd: " + response.CancelReason));
                }

                if (response.Created)
                {
                    created(); // etcd confirms the watch: from here every change under the prefix comes through
                }

                foreach (var e in response.Events)
                {
                    seen(e.Kv.ModRevision + 1);
                    var isDelete = e.Type == Mvccpb.Event.Types.EventType.Delete;
                    var kv = isDelete ? e.PrevKv : e.Kv;
                    if (kv is null || Decode(kv.Value.Span) is not { } decoded || (service is not null && decoded.Name != service))
                    {
                        continue;
                    }

                    var action = isDelete ? RegistryAction.Delete : e.PrevKv is null || e.Kv.CreateRevision == e.Kv.ModRevision ? RegistryAction.Create : RegistryAction.Update;
                    await events.WriteAsync(new RegistryEvent(action, decoded, DateTimeOffset.UtcNow), cancellationToken).ConfigureAwait(false);
                }

                if (response.Header is { Revision: > 0 } header && response.Events.Count == 0 && fromRevision == 0)
                {
                    seen(header.Revision + 1); // watching from now on: a reconnect resumes after this revision
                }
            }
        }
        finally
        {
            events.TryComplete();
        }
    }

    private async Task<IReadOnlyList<Service>> ReadPrefixAsync(string prefix, CancellationToken cancellationToken)
    {
        var range = await CallAsync(i => new KV.KVClient(i).RangeAsync(new RangeRequest { Key = ByteString.CopyFromUtf8(prefix), RangeEnd = ByteString.CopyFromUtf8(RangeEnd(prefix)) }, Options(cancellationToken)).ResponseAsync, cancellationToken).ConfigureAwait(false);
        var services = new List<Service>(range.Kvs.Count);
        foreach (var kv in range.Kvs)
        {
            if (Decode(kv.Value.Span) is { } service)
            {
                services.Add(service);
            }
        }

        return services;
    }

    private Service? Decode(ReadOnlySpan<byte> value)
    {
        try
        {
            return JsonSerializer.Deserialize(value, RegistryJsonContext.Default.Service);
        }
        catch (JsonException e)
        {
            _logger.LogWarning("Ignoring an etcd registry value that is not service JSON: {Reason}", e.Message);
            return null;
        }
    }

    private async Task RevokeAsync(long lease)
    {
        try
        {
            await CallAsync(i => new Lease.LeaseClient(i).LeaseRevokeAsync(new LeaseRevokeRequest { ID = lease }, Options(CancellationToken.None)).ResponseAsync, CancellationToken.None).ConfigureAwait(false);
        }
        catch (RpcException e)
        {
            _logger.LogDebug("Revoking lease {Lease} failed: {Reason}; it expires by itself", lease, e.Status.Detail);
        }
    }

    /// <summary>Runs a call on the current endpoint, moving on to the next ones when it cannot be reached.</summary>
    private async Task<T> CallAsync<T>(Func<CallInvoker, Task<T>> call, CancellationToken cancellationToken)
    {
        RpcException? last = null;
        var renewed = false;
        for (var attempt = 0; attempt < _endpoints.Length; attempt++)
        {
            try
            {
                await EnsureTokenAsync(cancellationToken).ConfigureAwait(false);
                return await call(Invoker()).ConfigureAwait(false);
            }
            catch (RpcException e) when (_options.Username is not null && !renewed && IsExpiredToken(e))
            {
                // etcd's tokens expire (5 min by default): fetch a new one, once per call.
                renewed = true;
                _token = null;
                attempt--;
            }
            catch (RpcException e) when (e.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded && !cancellationToken.IsCancellationRequested)
            {
                last = e;
                Rotate();
            }
        }

        throw new InvalidOperationException($"etcd unreachable at {string.Join(", ", _endpoints)}: {last?.Status.Detail}", last);
    }

    private CallInvoker Invoker()
    {
        var i = Volatile.Read(ref _current) % _endpoints.Length;
        var channel = _channels[i];
        if (channel is null)
        {
            lock (_gate)
            {
                channel = _channels[i] ??= GrpcChannel.ForAddress(_endpoints[i], new GrpcChannelOptions
                {
                    HttpHandler = Handler(),
                });
            }
        }

        return channel.CreateCallInvoker();
    }

    private SocketsHttpHandler Handler()
    {
        var handler = new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(2), EnableMultipleHttp2Connections = true };
        _options.Tls?.ConfigureClient(handler.SslOptions); // the CA etcd's certificate must chain to, and this side's certificate
        return handler;
    }

    private void Rotate() => Interlocked.Increment(ref _current);

    private CallOptions Options(CancellationToken cancellationToken) => new(headers: TokenHeaders(), deadline: DateTime.UtcNow + CallTimeout, cancellationToken: cancellationToken);

    /// <summary>etcd's auth token as gRPC metadata (null without authentication).</summary>
    private Metadata? TokenHeaders() => _token is { } token ? new Metadata { { "token", token } } : null;

    private static bool IsExpiredToken(RpcException e)
        => e.StatusCode == StatusCode.Unauthenticated || e.Status.Detail.Contains("invalid auth token", StringComparison.OrdinalIgnoreCase);

    /// <summary>With a username, fetches a token before the first call and after etcd refused an expired one.</summary>
    private async Task EnsureTokenAsync(CancellationToken cancellationToken)
    {
        if (_options.Username is not { } user || _token is not null)
        {
            return;
        }

        await _authGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_token is not null)
            {
                return;
            }

            try
            {
                var reply = await new Auth.AuthClient(Invoker()).AuthenticateAsync(new AuthenticateRequest { Name = user, Password = _options.Password },
                    new CallOptions(deadline: DateTime.UtcNow + CallTimeout, cancellationToken: cancellationToken)).ResponseAsync.ConfigureAwait(false);
                _token = reply.Token;
            }
            catch (RpcException e) when (e.StatusCode is StatusCode.InvalidArgument or StatusCode.FailedPrecondition or StatusCode.Unauthenticated or StatusCode.PermissionDenied)
            {
                // Said without the password; the caller's error names what to check.
                throw new InvalidOperationException($"etcd refused user '{user}': {e.Status.Detail}. Check --registry_username and --registry_password (MICRO_REGISTRY_USERNAME, MICRO_REGISTRY_PASSWORD).", e);
            }
        }
        finally
        {
            _authGate.Release();
        }
    }

    /// <summary>The end of a prefix range: the prefix with its last byte incremented.</summary>
    private static string RangeEnd(string prefix) => prefix[..^1] + (char)(prefix[^1] + 1);
}
