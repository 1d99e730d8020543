using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Micro.Broker;
using Micro.Codec;
using Micro.Diagnostics;
using Micro.Pipelines;
using Micro.Registry;
using Micro.Transport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Micro.Server;

/// <summary>
/// A service node's lifecycle: at start it binds its endpoints, listens, subscribes, and registers with a TTL it keeps
/// renewing (<see cref="RegistrationLease"/>); on stop it deregisters, refuses new requests (503, which clients retry
/// elsewhere), waits (bounded) for requests in flight, then closes connections. Requests and streams are dispatched
/// by <see cref="ServerDispatcher"/> (through the server pipeline), subscribers hosted by <see cref="SubscriberHost"/>.
/// </summary>
public sealed class MicroServer : IAsyncDisposable
{
    private readonly ServerOptions _options;
    private readonly IRegistry _registry;
    private readonly ITransport _transport;
    private readonly CodecRegistry _codecs;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly IServiceProvider _services;
    private readonly IReadOnlyList<EndpointDescriptor> _descriptors;
    private readonly IReadOnlyList<SubscriberDescriptor> _subscriberDescriptors;
    private readonly MicroPipeline<ServerMiddleware> _stages;
    private readonly CancellationTokenSource _stopping = new();
    private readonly IBroker? _broker;
    private readonly SubscriberHost _subscribers;
    private ServerDispatcher? _dispatcher;
    private ITransportListener? _listener;
    private RegistrationLease? _lease;
    private int _state; // 0 new, 1 running, 2 stopping, 3 stopped

    public MicroServer(ServerOptions options, IRegistry registry, ITransport transport, IEnumerable<EndpointDescriptor> endpoints,
        IServiceProvider services, CodecRegistry? codecs = null, MicroPipeline<ServerMiddleware>? pipeline = null,
        TimeProvider? timeProvider = null, ILogger<MicroServer>? logger = null, IBroker? broker = null,
        IEnumerable<SubscriberDescriptor>? subscribers = null, IEnumerable<SubscriberMiddleware>? subscriberMiddleware = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _broker = broker;
        _subscriberDescriptors = (subscribers ?? []).ToArray();
        if (_subscriberDescriptors.Count > 0 && broker is null)
        {
            throw new ArgumentException("The server has subscribers but no broker to receive their messages.", nameof(broker));
        }

        if (string.IsNullOrWhiteSpace(options.Name))
        {
            throw new ArgumentException("The server needs a service name (--server_name).", nameof(options));
        }

        _options = options;
        _registry = registry ?? throw new ArgumentNullException(nameof(registry));
        _transport = transport ?? throw new ArgumentNullException(nameof(transport));
        _services = services ?? throw new ArgumentNullException(nameof(services));
        _codecs = codecs ?? CodecRegistry.Default;
        _time = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _stages = pipeline ?? ServerStages.CreatePipeline();
        Health = new ServiceHealth(_subscriberDescriptors.Count > 0 ? _broker : null);
        Id = string.IsNullOrWhiteSpace(options.Id) ? $"{options.Name}-{Guid.NewGuid()}" : options.Id;
        _descriptors = endpoints.Concat(DebugHandler.Endpoints(new DebugHandler(Health, _time, _options.Name, Id))).ToArray();
        _subscribers = new SubscriberHost(_options.Name, Id, broker, _subscriberDescriptors, (subscriberMiddleware ?? []).ToArray(), _services, _codecs, _logger);
        if (options.RegisterInterval >= options.RegisterTtl)
        {
            _logger.LogWarning("register_interval {Interval} is not shorter than register_ttl {Ttl}: the node may expire between refreshes", options.RegisterInterval, options.RegisterTtl);
        }
    }

    public string Name => _options.Name;

    public string Id { get; }

    /// <summary>The address the server listens on (valid after start).</summary>
    public string Address => _listener?.Address ?? throw new InvalidOperationException("The server has not started.");

    /// <summary>The address registered for this node.</summary>
    public string AdvertisedAddress { get; private set; } = "";

    public IReadOnlyList<Endpoint> Endpoints => _descriptors.Select(d => d.Endpoint).Concat(_subscriberDescriptors.Select(s => s.Endpoint)).ToArray();

    public int InFlight => _dispatcher?.InFlight ?? 0;

    /// <summary>The concurrency limit of calls now (it adapts unless fixed); null without one (<see cref="ServerOptions.ConcurrencyLimit"/>).</summary>
    public int? ConcurrencyLimit => _dispatcher?.Limiter?.Limit;

    /// <summary>Readiness: registered, broker connected, not stopping (what <c>Debug.Health</c> answers).</summary>
    public ServiceHealth Health { get; }

    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.CompareExchange(ref _state, 1, 0) != 0)
        {
            throw new InvalidOperationException("The server was already started.");
        }

        _ = EndpointMetrics.Shared; // per-endpoint totals for Debug.Stats (and the dashboard's charts) from here on

        try
        {
            _dispatcher = new ServerDispatcher(_options.Name, Id, BindEndpoints(), _stages, _codecs, _time, _logger, _stopping.Token, _options.ConcurrencyLimit);
            _listener = await _transport.ListenAsync(_options.Address, _dispatcher, cancellationToken).ConfigureAwait(false);
            await _subscribers.SubscribeAllAsync(cancellationToken).ConfigureAwait(false);
            AdvertisedAddress = Advertise(_options.Advertise ?? _listener.Address);
            _lease = new RegistrationLease(_registry, BuildRegistration(), _options.RegisterTtl, _options.RegisterInterval, $"service {_options.Name} node {Id}",
                _time, _logger, failure =>
                {
                    if (failure is null)
                    {
                        Health.Registered();
                    }
                    else
                    {
                        Health.RegistrationFailed(failure.Message);
                    }
                });
            await _lease.AcquireAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // Leave nothing half-started: no open port without a registration, and stop has nothing to undo.
            Volatile.Write(ref _state, 3);
            await _subscribers.UnsubscribeAllAsync().ConfigureAwait(false);
            if (_listener is not null)
            {
                await _listener.DisposeAsync().ConfigureAwait(false);
            }

            throw;
        }

        _logger.LogInformation("Service {Name} node {Id} listening on {Address} ({Transport}), registered in {Registry}",
            _options.Name, Id, _listener.Address, _transport.Name, _registry.Name);
    }

    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.CompareExchange(ref _state, 2, 1) != 1)
        {
            return;
        }

        Health.Stopping();
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _lease!.ReleaseAsync(cancellationToken).ConfigureAwait(false);
        await _subscribers.UnsubscribeAllAsync().ConfigureAwait(false);
        await _listener!.StopAcceptingAsync().ConfigureAwait(false);
        if (_dispatcher!.InFlight > 0)
        {
            _logger.LogInformation("Waiting up to {Timeout} for {Count} requests in flight", _options.ShutdownTimeout, _dispatcher.InFlight);
            try
            {
                await _dispatcher.Drained.WaitAsync(_options.ShutdownTimeout, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                _logger.LogWarning("{Count} requests still running after {Timeout}; closing connections", _dispatcher.InFlight, _options.ShutdownTimeout);
            }
        }

        await _listener.DisposeAsync().ConfigureAwait(false);
        Volatile.Write(ref _state, 3);
        _logger.LogInformation("Service {Name} node {Id} stopped", _options.Name, Id);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        if (_lease is not null)
        {
            await _lease.DisposeAsync().ConfigureAwait(false);
        }

        _stopping.Dispose();
    }

    /// <summary>Each endpoint's handler, made from the services once; a name used twice is a start-up error.</summary>
    private EndpointTable BindEndpoints()
    {
        var table = new EndpointTable(_options.Name);
        foreach (var d in _descriptors)
        {
            var added = d.BindStream is { } bindStream
                ? table.TryAdd(d.Name, bindStream(_services))
                : table.TryAdd(d.Name, d.Bind!(_services));
            if (!added)
            {
                throw new InvalidOperationException($"Endpoint {d.Name} is registered twice.");
            }
        }

        return table;
    }

    private Service BuildRegistration()
    {
        var metadata = new Dictionary<string, string>(_options.Metadata ?? new Dictionary<string, string>())
        {
            ["transport"] = _transport.Name,
            ["broker"] = _broker?.Name ?? "none",
            ["server"] = "mucp",
            ["registry"] = _registry.Name,
            ["protocol"] = "mucp",
        };
        if (_transport is IServerTransport { ServerAddress.Length: > 0 } server)
        {
            metadata["transport_address"] = server.ServerAddress; // the NATS or RabbitMQ server its nodes are reached through
        }

        return new Service
        {
            Name = _options.Name,
            Version = _options.Version,
            Endpoints = Endpoints,
            Nodes = [new Node { Id = Id, Address = AdvertisedAddress, Metadata = metadata }],
        };
    }

    /// <summary>Turns a wildcard bind address into one others can dial.</summary>
    private static string Advertise(string address)
    {
        var colon = address.LastIndexOf(':');
        if (colon < 0)
        {
            return address;
        }

        var host = address[..colon].Trim('[', ']');
        var port = address[(colon + 1)..];
        if (host.Length > 0 && host != "0.0.0.0" && host != "::")
        {
            return address;
        }

        var ip = NetworkInterface.GetAllNetworkInterfaces()
            .Where(n => n.OperationalStatus == OperationalStatus.Up && n.NetworkInterfaceType != NetworkInterfaceType.Loopback)
            .SelectMany(n => n.GetIPProperties().UnicastAddresses)
            .Select(u => u.Address)
            .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? IPAddress.Loopback;
        return $"{ip}:{port}";
    }
}
