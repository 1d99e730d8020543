using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Micro.Broker;
using Micro.Codec;
using Micro.Diagnostics;
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
public sealed class MicroServer : ITransportHandler, ITransportStreamHandler, IAsyncDisposable
{
    private readonly ServerOptions _options;
    private readonly IRegistry _registry;
    private readonly ITransport _transport;
    private readonly CodecRegistry _codecs;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly IServiceProvider _services;
    private readonly IReadOnlyList<EndpointDescriptor> _descriptors;
    private readonly IReadOnlyList<ServerMiddleware> _middleware;
    private readonly Dictionary<string, RequestHandler> _handlers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, StreamHandler> _streamHandlers = new(StringComparer.Ordinal);
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
        IServiceProvider services, CodecRegistry? codecs = null, IEnumerable<ServerMiddleware>? middleware = null,
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
        _middleware = (middleware ?? []).ToArray();
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
                    ? _streamHandlers.TryAdd(d.Name, bindStream(_services))
                    : _handlers.TryAdd(d.Name, Compose(d.Bind!(_services)));
                if (!added)
                {
                    throw new InvalidOperationException($"Endpoint {d.Name} is registered twice.");
                }
            }

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

    /// <summary>Every endpoint, for "unknown endpoint" errors: the calls, then the streams marked as such.</summary>
    private string EndpointList()
        => string.Join(", ", _handlers.Keys.Order(StringComparer.Ordinal))
           + (_streamHandlers.Count > 0 ? $" (streams: {string.Join(", ", _streamHandlers.Keys.Order(StringComparer.Ordinal))})" : "");

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

    async ValueTask<TransportMessage> ITransportHandler.HandleAsync(TransportMessage request, TransportPeer peer, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _inFlight);
        var endpoint = request.Headers.GetValueOrDefault(MicroHeaders.Endpoint) ?? request.Headers.GetValueOrDefault(MicroHeaders.Method) ?? "";
        using var activity = MicroTelemetry.Source.StartActivity(endpoint, ActivityKind.Server, TraceContext.Extract(request.Headers));
        activity?.SetTag("rpc.system", "micro");
        activity?.SetTag("rpc.service", _options.Name);
        activity?.SetTag("rpc.method", endpoint);
        activity?.SetTag("client.address", peer.RemoteAddress);
        // Metrics cost nothing unless something listens: tags are built only then.
        var measured = MicroTelemetry.ServerMeasured;
        if (measured)
        {
            MicroTelemetry.ServerActiveRequests.Add(1, new KeyValuePair<string, object?>("service", _options.Name));
        }

        var started = measured ? _time.GetTimestamp() : 0; // the server's clock, so durations can be tested on a fake one
        var code = 500;
        try
        {
            (var reply, code) = await HandleCoreAsync(request, endpoint, peer, cancellationToken).ConfigureAwait(false);
            return reply;
        }
        finally
        {
            if (code != 200)
            {
                activity?.SetStatus(ActivityStatusCode.Error);
            }

            activity?.SetTag("rpc.micro.code", code);
            if (measured)
            {
                MicroTelemetry.ServerActiveRequests.Add(-1, new KeyValuePair<string, object?>("service", _options.Name));
                var tags = new TagList { { "service", _options.Name }, { "endpoint", endpoint }, { "code", code }, { "node", Id } };
                MicroTelemetry.ServerRequests.Add(1, tags);
                if (code != 200)
                {
                    MicroTelemetry.ServerErrors.Add(1, tags);
                }

                MicroTelemetry.ServerDuration.Record(_time.GetElapsedTime(started).TotalSeconds, tags);
            }

            if (Interlocked.Decrement(ref _inFlight) == 0 && _stopping.IsCancellationRequested)
            {
                _drained.TrySetResult();
            }
        }
    }

    /// <param name="endpoint">From the Micro-Endpoint (or Micro-Method) header; an RPC envelope may name it instead.</param>
    /// <returns>The reply and its code (200, or the error's code) for the span and the metrics.</returns>
    private async ValueTask<(TransportMessage Reply, int Code)> HandleCoreAsync(TransportMessage request, string endpoint, TransportPeer peer, CancellationToken cancellationToken)
    {
        var headers = request.Headers;
        var id = headers.GetValueOrDefault(MicroHeaders.Id);
        var contentType = headers.GetValueOrDefault(MicroHeaders.ContentType) ?? JsonCodec.MediaType;
        string replyType = contentType;
        var envelope = RpcEnvelope.For(contentType);
        RpcRequestEnvelope? rpc = null;
        var body = request.Body;
        try
        {
            if (envelope is not null)
            {
                // json-rpc / proto-rpc: the method and the message are inside the envelope.
                rpc = envelope.UnwrapRequest(body);
                body = rpc.Inner;
                if (endpoint.Length == 0)
                {
                    endpoint = rpc.Method;
                }
            }

            if (_stopping.IsCancellationRequested)
            {
                throw MicroException.Unavailable(_options.Name, $"service {_options.Name} node {Id} is stopping");
            }

            if (!_handlers.TryGetValue(endpoint, out var handler))
            {
                throw endpoint.Length == 0
                    ? MicroException.NotFound(_options.Name, $"request to {_options.Name} names no endpoint (Micro-Endpoint header)")
                    : _streamHandlers.ContainsKey(endpoint)
                        ? MicroException.BadRequest(_options.Name, $"{endpoint} of service {_options.Name} is a stream endpoint: open a stream to it (micro stream {_options.Name} {endpoint}), not a call")
                        : MicroException.NotFound(_options.Name, $"unknown endpoint {endpoint} of service {_options.Name}; it has: {EndpointList()}");
            }

            var codec = _codecs.Get(contentType);
            var replyCodec = envelope is null && headers.TryGetValue(MicroHeaders.Accept, out var accept) && _codecs.TryGet(accept, out var a) ? a : codec;
            replyType = envelope?.ContentType ?? replyCodec.ContentType;

            DateTimeOffset? deadline = null;
            CancellationTokenSource? timeout = null;
            if (headers.TryGetValue(MicroHeaders.Timeout, out var timeoutText) && long.TryParse(timeoutText, NumberStyles.None, CultureInfo.InvariantCulture, out var ns) && ns > 0)
            {
                var span = TimeSpan.FromTicks(Math.Min(ns / 100, TimeSpan.FromDays(1).Ticks));
                deadline = _time.GetUtcNow() + span;
                timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(span);
            }

            // The transport gave us this dictionary; it becomes the request's metadata (every header plus the addresses).
            var metadata = headers;
            metadata[MicroHeaders.Local] = peer.LocalAddress;
            metadata[MicroHeaders.Remote] = peer.RemoteAddress;
            var context = new CallContext(_options.Name, endpoint, metadata, deadline, Id);
            CallContext.Current = context;
            try
            {
                var token = timeout?.Token ?? cancellationToken;
                var result = await handler(new ServerRequest(_options.Name, endpoint, codec, replyCodec, metadata, body, peer), token).ConfigureAwait(false);
                return (envelope is null
                    ? Reply(id, result.ContentType, result.Body, context.ResponseMetadataIfAny, null)
                    : Reply(id, envelope.ContentType, envelope.WrapResponse(rpc!, result.Body, null), context.ResponseMetadataIfAny, null), 200);
            }
            catch (OperationCanceledException) when (timeout?.IsCancellationRequested == true || cancellationToken.IsCancellationRequested)
            {
                throw MicroException.Timeout(_options.Name, cancellationToken.IsCancellationRequested
                    ? $"{endpoint}: cancelled by the caller"
                    : $"{endpoint}: deadline exceeded");
            }
            finally
            {
                CallContext.Current = null;
                timeout?.Dispose();
            }
        }
        catch (MicroException e)
        {
            var error = e.Id.Length == 0 || e.Id == "go.micro.codec" ? new MicroException(_options.Name, e.Code, e.Detail, e.Status) : e;
            if (e.Code >= 500)
            {
                _logger.LogWarning("{Endpoint} failed: {Detail}", endpoint, e.Detail);
            }

            return (ErrorReply(id, replyType, envelope, rpc, error), error.Code);
        }
        catch (Exception e)
        {
            _logger.LogError(e, "{Endpoint} threw", endpoint);
            return (ErrorReply(id, replyType, envelope, rpc, MicroException.InternalServerError(_options.Name, e.Message)), 500);
        }
    }

    /// <summary>An error reply: the error JSON in Micro-Error, and inside the envelope too when the request had one.</summary>
    private static TransportMessage ErrorReply(string? id, string contentType, RpcEnvelope? envelope, RpcRequestEnvelope? rpc, MicroException error)
        => envelope is null
            ? Reply(id, contentType, default, null, error)
            : Reply(id, envelope.ContentType, envelope.WrapResponse(rpc ?? new RpcRequestEnvelope("", "null", 0, default), default, error.ToJson()), null, error);

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

            if (!_streamHandlers.TryGetValue(endpoint, out var handler))
            {
                throw _handlers.ContainsKey(endpoint)
                    ? MicroException.BadRequest(_options.Name, $"{endpoint} of service {_options.Name} is not a stream endpoint: call it (micro call {_options.Name} {endpoint}), not a stream")
                    : MicroException.NotFound(_options.Name, $"unknown stream endpoint {endpoint} of service {_options.Name}; it has: {EndpointList()}");
            }

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

    private RequestHandler Compose(RequestHandler endpoint)
    {
        for (var i = _middleware.Count - 1; i >= 0; i--)
        {
            endpoint = _middleware[i](endpoint);
        }

        return endpoint;
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
