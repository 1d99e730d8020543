using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
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
/// Serves endpoints over a transport and keeps the service registered: registers at start with a TTL, re-registers
/// on an interval, and on stop deregisters, refuses new requests (503, which clients retry elsewhere), waits (bounded)
/// for requests in flight, then closes connections.
/// </summary>
public sealed class MicroServer : ITransportHandler, IAsyncDisposable
{
    private readonly ServerOptions _options;
    private readonly IRegistry _registry;
    private readonly ITransport _transport;
    private readonly CodecRegistry _codecs;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly IServiceProvider _services;
    private readonly IReadOnlyList<EndpointDescriptor> _descriptors;
    private readonly MicroPipeline<ServerMiddleware> _pipelineStages;
    private readonly EndpointTable _endpoints;
    private RequestHandler? _pipeline;
    private readonly CancellationTokenSource _stopping = new();
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly IBroker? _broker;
    private readonly IReadOnlyList<SubscriberDescriptor> _subscribers;
    private readonly IReadOnlyList<SubscriberMiddleware> _subscriberMiddleware;
    private readonly List<ISubscription> _subscriptions = [];
    private ITransportListener? _listener;
    private Task? _reregister;
    private Service? _registration;
    private int _inFlight;
    private int _state; // 0 new, 1 running, 2 stopping, 3 stopped

    public MicroServer(ServerOptions options, IRegistry registry, ITransport transport, IEnumerable<EndpointDescriptor> endpoints,
        IServiceProvider services, CodecRegistry? codecs = null, MicroPipeline<ServerMiddleware>? pipeline = null,
        TimeProvider? timeProvider = null, ILogger<MicroServer>? logger = null, IBroker? broker = null,
        IEnumerable<SubscriberDescriptor>? subscribers = null, IEnumerable<SubscriberMiddleware>? subscriberMiddleware = null)
    {
        _broker = broker;
        _subscribers = (subscribers ?? []).ToArray();
        _subscriberMiddleware = (subscriberMiddleware ?? []).ToArray();
        if (_subscribers.Count > 0 && broker is null)
        {
            throw new ArgumentException("The server has subscribers but no broker to receive their messages.", nameof(broker));
        }

        _options = options ?? throw new ArgumentNullException(nameof(options));
        _registry = registry ?? throw new ArgumentNullException(nameof(registry));
        _transport = transport ?? throw new ArgumentNullException(nameof(transport));
        _services = services ?? throw new ArgumentNullException(nameof(services));
        _codecs = codecs ?? CodecRegistry.Default;
        _time = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _pipelineStages = pipeline ?? ServerStages.CreatePipeline();
        _endpoints = new EndpointTable(options.Name);
        Health = new ServiceHealth(_subscribers.Count > 0 ? _broker : null);
        Id = string.IsNullOrWhiteSpace(options.Id) ? $"{options.Name}-{Guid.NewGuid()}" : options.Id;
        _descriptors = endpoints.Concat(DebugHandler.Endpoints(new DebugHandler(Health, _time, _options.Name, Id))).ToArray();
        if (string.IsNullOrWhiteSpace(options.Name))
        {
            throw new ArgumentException("The server needs a service name (--server_name).", nameof(options));
        }

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

    public IReadOnlyList<Endpoint> Endpoints => _descriptors.Select(d => d.Endpoint).Concat(_subscribers.Select(s => s.Endpoint)).ToArray();

    public int InFlight => Volatile.Read(ref _inFlight);

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
            foreach (var d in _descriptors)
            {
                var added = d.BindStream is { } bindStream
                    ? _endpoints.TryAdd(d.Name, bindStream(_services))
                    : _endpoints.TryAdd(d.Name, d.Bind!(_services));
                if (!added)
                {
                    throw new InvalidOperationException($"Endpoint {d.Name} is registered twice.");
                }
            }

            _pipeline = BuildPipeline();

            _listener = await _transport.ListenAsync(_options.Address, this, cancellationToken).ConfigureAwait(false);
            await SubscribeAllAsync(cancellationToken).ConfigureAwait(false);
            AdvertisedAddress = Advertise(_options.Advertise ?? _listener.Address);
            _registration = BuildRegistration();
            await _registry.RegisterAsync(_registration, _options.RegisterTtl, cancellationToken).ConfigureAwait(false);
            Health.Registered();
        }
        catch
        {
            // Leave nothing half-started: no open port without a registration, and stop has nothing to undo.
            Volatile.Write(ref _state, 3);
            await UnsubscribeAllAsync().ConfigureAwait(false);
            if (_listener is not null)
            {
                await _listener.DisposeAsync().ConfigureAwait(false);
            }

            throw;
        }
        _logger.LogInformation("Service {Name} node {Id} listening on {Address} ({Transport}), registered in {Registry}",
            _options.Name, Id, _listener.Address, _transport.Name, _registry.Name);
        _reregister = Task.Run(ReregisterLoopAsync, CancellationToken.None);
    }

    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.CompareExchange(ref _state, 2, 1) != 1)
        {
            return;
        }

        Health.Stopping();
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_reregister is not null)
        {
            await _reregister.ConfigureAwait(false);
        }

        try
        {
            await _registry.DeregisterAsync(_registration!, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _logger.LogWarning(e, "Deregistering {Name} node {Id} failed; it expires after its TTL", _options.Name, Id);
        }

        await UnsubscribeAllAsync().ConfigureAwait(false);
        await _listener!.StopAcceptingAsync().ConfigureAwait(false);
        if (Volatile.Read(ref _inFlight) > 0)
        {
            _logger.LogInformation("Waiting up to {Timeout} for {Count} requests in flight", _options.ShutdownTimeout, _inFlight);
            if (Volatile.Read(ref _inFlight) == 0)
            {
                _drained.TrySetResult();
            }

            try
            {
                await _drained.Task.WaitAsync(_options.ShutdownTimeout, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                _logger.LogWarning("{Count} requests still running after {Timeout}; closing connections", _inFlight, _options.ShutdownTimeout);
            }
        }

        await _listener.DisposeAsync().ConfigureAwait(false);
        Volatile.Write(ref _state, 3);
        _logger.LogInformation("Service {Name} node {Id} stopped", _options.Name, Id);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    async ValueTask<TransportMessage> ITransportHandler.HandleAsync(TransportMessage request, TransportPeer peer, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _inFlight);
        // The transport gave us this dictionary; it becomes the request's metadata (every header plus the addresses).
        var headers = request.Headers;
        headers[MicroHeaders.Local] = peer.LocalAddress;
        headers[MicroHeaders.Remote] = peer.RemoteAddress;
        var endpoint = headers.GetValueOrDefault(MicroHeaders.Endpoint) ?? headers.GetValueOrDefault(MicroHeaders.Method) ?? "";
        var contentType = headers.GetValueOrDefault(MicroHeaders.ContentType) ?? JsonCodec.MediaType;
        var serverRequest = new ServerRequest(_options.Name, Id, endpoint, contentType, headers, request.Body, peer);
        ServerResponse response;
        try
        {
            response = await _pipeline!(serverRequest, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // A pipeline without its errors stage (or a stage outside it) failed: the caller still gets an answer.
            response = ServerResponse.Failure(ErrorMappingStage.Map(e, serverRequest.Endpoint, _options.Name, _logger));
        }
        finally
        {
            CallContext.Current = null;
            if (Interlocked.Decrement(ref _inFlight) == 0 && _stopping.IsCancellationRequested)
            {
                _drained.TrySetResult();
            }
        }

        return ReplyTo(serverRequest, headers.GetValueOrDefault(MicroHeaders.Id), response);
    }

    /// <summary>The reply message: the body (in the RPC envelope when the request had one), or the error in Micro-Error (and in the envelope).</summary>
    private static TransportMessage ReplyTo(ServerRequest request, string? id, ServerResponse response)
    {
        var envelope = request.Envelope;
        if (response.Error is { } error)
        {
            return envelope is null
                ? Reply(id, request.ReplyContentType, default, null, error)
                : Reply(id, envelope.ContentType, envelope.WrapResponse(request.Rpc ?? new RpcRequestEnvelope("", "null", 0, default), default, error.ToJson()), null, error);
        }

        var metadata = request.Context.ResponseMetadataIfAny;
        return envelope is null
            ? Reply(id, response.ContentType, response.Body, metadata, null)
            : Reply(id, envelope.ContentType, envelope.WrapResponse(request.Rpc!, response.Body, null), metadata, null);
    }

    /// <summary>The configured stages around the endpoint, each built-in one bound to this server.</summary>
    private RequestHandler BuildPipeline()
        => _pipelineStages.Build<RequestHandler>(static (request, cancellationToken) =>
            (request.Handler ?? throw new InvalidOperationException("No stage found the endpoint: the server pipeline needs its route stage."))(request, cancellationToken),
            static (middleware, next) => middleware(next),
            (stage, next) => stage switch
            {
                ServerStages.Telemetry => new ServerTelemetryStage(next, _options.Name, Id, _time).InvokeAsync,
                ServerStages.Errors => new ErrorMappingStage(next, _options.Name, _logger).InvokeAsync,
                ServerStages.Admission => new AdmissionStage(next, _options.Name, Id, _stopping.Token).InvokeAsync,
                ServerStages.Route => new RouteStage(next, _endpoints, _codecs).InvokeAsync,
                ServerStages.Deadline => new ServerDeadlineStage(next, _options.Name, _time).InvokeAsync,
                _ => throw new InvalidOperationException($"'{stage}' is not a built-in server stage ({string.Join(", ", ServerStages.Order)})."),
            });

    async ValueTask ITransportStreamHandler.HandleStreamAsync(ITransportStream stream, TransportPeer peer, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _inFlight);
        var headers = new Dictionary<string, string>(stream.Headers, StringComparer.OrdinalIgnoreCase)
        {
            [MicroHeaders.Local] = peer.LocalAddress,
            [MicroHeaders.Remote] = peer.RemoteAddress,
        };
        var endpoint = headers.GetValueOrDefault(MicroHeaders.Endpoint) ?? headers.GetValueOrDefault(MicroHeaders.Method) ?? "";
        try
        {
            if (_stopping.IsCancellationRequested)
            {
                throw MicroException.Unavailable(_options.Name, $"service {_options.Name} node {Id} is stopping");
            }

            var handler = _endpoints.FindStream(endpoint);

            var codec = _codecs.Get(headers.GetValueOrDefault(MicroHeaders.ContentType) ?? JsonCodec.MediaType);
            CallContext.Current = new CallContext(_options.Name, endpoint, headers, null, Id);
            await handler(new ServerStream(stream, codec), cancellationToken).ConfigureAwait(false);
            await stream.CompleteAsync(null, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The caller went away: nobody to tell.
        }
        catch (MicroException e)
        {
            await stream.CompleteAsync((e.Id.Length == 0 || e.Id == "go.micro.codec" ? new MicroException(_options.Name, e.Code, e.Detail, e.Status) : e).ToJson(), CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            _logger.LogError(e, "Stream {Endpoint} threw", endpoint);
            await stream.CompleteAsync(MicroException.InternalServerError(_options.Name, e.Message).ToJson(), CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            CallContext.Current = null;
            if (Interlocked.Decrement(ref _inFlight) == 0 && _stopping.IsCancellationRequested)
            {
                _drained.TrySetResult();
            }
        }
    }

    private static TransportMessage Reply(string? id, string contentType, ReadOnlyMemory<byte> body, Dictionary<string, string>? metadata, MicroException? error)
    {
        var headers = TransportMessage.NewHeaders(3 + (metadata?.Count ?? 0));
        if (metadata is not null)
        {
            foreach (var (k, v) in metadata)
            {
                headers[k] = v;
            }
        }

        headers[MicroHeaders.ContentType] = contentType;
        if (id is not null)
        {
            headers[MicroHeaders.Id] = id;
        }

        if (error is not null)
        {
            headers[MicroHeaders.Error] = error.ToJson();
        }

        return new TransportMessage(headers, body);
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

    private async Task SubscribeAllAsync(CancellationToken cancellationToken)
    {
        if (_subscribers.Count == 0)
        {
            return;
        }

        await _broker!.ConnectAsync(cancellationToken).ConfigureAwait(false);
        foreach (var subscriber in _subscribers)
        {
            BrokerHandler handler = subscriber.Bind(_services, _codecs);
            for (var i = _subscriberMiddleware.Count - 1; i >= 0; i--)
            {
                handler = _subscriberMiddleware[i](handler);
            }

            var endpoint = subscriber.Endpoint.Name;
            var topic = subscriber.Topic;
            BrokerHandler withContext = async (delivery, ct) =>
            {
                // A consumer span, child of the publisher's (its context came in the message).
                using var activity = MicroTelemetry.Source.StartActivity(topic + " process", ActivityKind.Consumer, TraceContext.Extract(delivery.Message.Header));
                activity?.SetTag("messaging.system", _broker.Name);
                activity?.SetTag("messaging.destination.name", topic);
                activity?.SetTag("micro.subscriber", endpoint);
                CallContext.Current = new CallContext(_options.Name, endpoint, delivery.Message.Header, null, Id);
                var outcome = "ok";
                try
                {
                    await handler(delivery, ct).ConfigureAwait(false);
                }
                catch (Exception e)
                {
                    outcome = "error";
                    activity?.SetStatus(ActivityStatusCode.Error, e.Message);
                    MicroTelemetry.BrokerDeliveryErrors.Add(1, new KeyValuePair<string, object?>("topic", topic));
                    throw;
                }
                finally
                {
                    CallContext.Current = null;
                    MicroTelemetry.BrokerDelivered.Add(1, new TagList { { "topic", topic }, { "outcome", outcome } });
                }
            };
            _subscriptions.Add(await _broker.SubscribeAsync(subscriber.Topic, withContext, subscriber.Options, cancellationToken).ConfigureAwait(false));
            _logger.LogInformation("Subscribed {Endpoint} to {Topic}{Queue} on the {Broker} broker", endpoint, subscriber.Topic,
                subscriber.Options.Queue is { } q ? $" (queue {q})" : "", _broker.Name);
        }
    }

    private async Task UnsubscribeAllAsync()
    {
        foreach (var subscription in _subscriptions)
        {
            try
            {
                await subscription.UnsubscribeAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                _logger.LogWarning(e, "Unsubscribing from {Topic} failed", subscription.Topic);
            }
        }

        _subscriptions.Clear();
    }

    private async Task ReregisterLoopAsync()
    {
        using var timer = new PeriodicTimer(_options.RegisterInterval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(_stopping.Token).ConfigureAwait(false))
            {
                try
                {
                    await _registry.RegisterAsync(_registration!, _options.RegisterTtl, _stopping.Token).ConfigureAwait(false);
                    Health.Registered();
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    Health.RegistrationFailed(e.Message);
                    _logger.LogWarning(e, "Re-registering {Name} node {Id} failed; trying again in {Interval}", _options.Name, Id, _options.RegisterInterval);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
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
