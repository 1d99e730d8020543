using System.Diagnostics;
using System.Globalization;
using Micro.Broker;
using Micro.Diagnostics;
using Micro.Codec;
using Micro.Selector;
using Micro.Transport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Micro.Client;

/// <summary>
/// The client: per call it picks a node through the selector, sends over the transport, and retries failed attempts on
/// other nodes within one overall deadline. Failed nodes are reported to the selector.
/// </summary>
public sealed class MicroClient : IMicroClient
{
    private const string ClientId = "go.micro.client";
    private readonly ISelector _selector;
    private readonly ITransport _transport;
    private readonly CodecRegistry _codecs;
    private readonly ClientOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CallHandler _pipeline;
    private readonly IBroker? _broker;
    private readonly Func<string, string?, ITransport?>? _transportFor;
    private long _sequence;

    /// <param name="transportFor">
    /// Finds the transport a node advertises in its <c>transport</c> metadata (and, for NATS and RabbitMQ, the server in its
    /// <c>transport_address</c>) when it differs from <paramref name="transport"/>, so one client can call tcp, http, nats
    /// and rabbitmq nodes; null sends everything over <paramref name="transport"/>.
    /// </param>
    public MicroClient(ISelector selector, ITransport transport, CodecRegistry? codecs = null, ClientOptions? options = null,
        IEnumerable<ClientMiddleware>? middleware = null, TimeProvider? timeProvider = null, ILogger<MicroClient>? logger = null, IBroker? broker = null,
        Func<string, string?, ITransport?>? transportFor = null)
    {
        _broker = broker;
        _transportFor = transportFor;
        _selector = selector ?? throw new ArgumentNullException(nameof(selector));
        _transport = transport ?? throw new ArgumentNullException(nameof(transport));
        _codecs = codecs ?? CodecRegistry.Default;
        _options = options ?? ClientOptions.Default;
        _time = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        CallHandler pipeline = SendAsync;
        foreach (var m in (middleware ?? []).Reverse())
        {
            pipeline = m(pipeline);
        }

        _pipeline = pipeline;
    }

    public ClientOptions Options => _options;

    public ValueTask<MicroResponse> CallAsync(MicroRequest request, CallOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (string.IsNullOrWhiteSpace(request.Service))
        {
            throw MicroException.BadRequest(ClientId, "a call needs a service name");
        }

        if (string.IsNullOrWhiteSpace(request.Endpoint))
        {
            throw MicroException.BadRequest(ClientId, $"a call to {request.Service} needs an endpoint (Type.Method)");
        }

        // Nothing listening (the common case in a benchmark): no span, no tags, no extra async step.
        return MicroTelemetry.Source.HasListeners() || MicroTelemetry.ClientMeasured
            ? InstrumentedCallAsync(request, options ?? CallOptions.Default, cancellationToken)
            : _pipeline(request, options ?? CallOptions.Default, cancellationToken);
    }

    /// <summary>The call through the middleware, as one client span with its metrics.</summary>
    private async ValueTask<MicroResponse> InstrumentedCallAsync(MicroRequest request, CallOptions options, CancellationToken cancellationToken)
    {
        using var activity = MicroTelemetry.Source.StartActivity(request.Endpoint, ActivityKind.Client);
        activity?.SetTag("rpc.system", "micro");
        activity?.SetTag("rpc.service", request.Service);
        activity?.SetTag("rpc.method", request.Endpoint);
        var started = Stopwatch.GetTimestamp();
        var code = 200;
        try
        {
            return await _pipeline(request, options, cancellationToken).ConfigureAwait(false);
        }
        catch (MicroException e)
        {
            code = e.Code;
            activity?.SetStatus(ActivityStatusCode.Error, e.Detail);
            throw;
        }
        catch (OperationCanceledException)
        {
            code = 499; // cancelled by the caller
            throw;
        }
        catch (Exception e)
        {
            code = 500;
            activity?.SetStatus(ActivityStatusCode.Error, e.Message);
            throw;
        }
        finally
        {
            activity?.SetTag("rpc.micro.code", code);
            if (MicroTelemetry.ClientMeasured)
            {
                var tags = new TagList { { "service", request.Service }, { "endpoint", request.Endpoint }, { "code", code } };
                MicroTelemetry.ClientRequests.Add(1, tags);
                if (code != 200)
                {
                    MicroTelemetry.ClientErrors.Add(1, tags);
                }

                MicroTelemetry.ClientDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, tags);
            }
        }
    }

    public async ValueTask<TResponse> CallAsync<TRequest, TResponse>(string service, string endpoint, TRequest request, CallOptions? options = null, CancellationToken cancellationToken = default)
    {
        var codec = _codecs.Get(_options.ContentType);
        var response = await CallAsync(new MicroRequest(service, endpoint, codec.Encode(request), codec.ContentType), options, cancellationToken).ConfigureAwait(false);
        var replyCodec = _codecs.TryGet(response.ContentType, out var c) ? c : codec;
        return replyCodec.Decode<TResponse>(response.Body);
    }

    public async ValueTask<MicroStream> OpenStreamAsync(MicroRequest request, CallOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        options ??= CallOptions.Default;
        var (address, _, transport) = await ResolveAsync(request.Service, options, null, cancellationToken).ConfigureAwait(false);

        if (transport is not IStreamingTransport streaming)
        {
            throw new MicroException(ClientId, 501, $"the {transport.Name} transport cannot carry streams; use tcp for {request.Service} {request.Endpoint}");
        }

        var headers = TransportMessage.NewHeaders(8 + (options.Metadata?.Count ?? 0));
        if (options.Metadata is not null)
        {
            foreach (var (k, v) in options.Metadata)
            {
                headers[k] = v;
            }
        }

        headers[MicroHeaders.ContentType] = request.ContentType;
        headers[MicroHeaders.Id] = Guid.NewGuid().ToString();
        headers[MicroHeaders.Service] = request.Service;
        headers[MicroHeaders.Method] = request.Endpoint;
        headers[MicroHeaders.Endpoint] = request.Endpoint;
        headers[MicroHeaders.Stream] = "true";
        var stream = await streaming.OpenStreamAsync(address, headers, cancellationToken).ConfigureAwait(false);
        // The caller's cancellation ends the stream on both sides.
        var registration = cancellationToken.UnsafeRegister(static s => _ = ((ITransportStream)s!).DisposeAsync().AsTask(), stream);
        return new MicroStream(stream, request.ContentType, registration);
    }

    public ValueTask PublishAsync(MicroMessage message, PublishOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (string.IsNullOrWhiteSpace(message.Topic))
        {
            throw MicroException.BadRequest(ClientId, "a message needs a topic");
        }

        var broker = _broker ?? throw new InvalidOperationException("This client has no broker: configure one (--broker) to publish.");
        var header = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (options?.Metadata is { } metadata)
        {
            foreach (var (k, v) in metadata)
            {
                header[k] = v;
            }
        }

        header[MicroHeaders.ContentType] = message.ContentType;
        header[MicroHeaders.Topic] = message.Topic;
        header[MicroHeaders.Id] = Guid.NewGuid().ToString();
        if (_options.FromService is { } from)
        {
            header[MicroHeaders.FromService] = from;
        }

        return MicroTelemetry.Source.HasListeners() || MicroTelemetry.BrokerPublished.Enabled
            ? PublishInstrumentedAsync(broker, message.Topic, header, message.Body, cancellationToken)
            : broker.PublishAsync(message.Topic, new BrokerMessage(header, message.Body), cancellationToken);
    }

    /// <summary>A producer span whose context travels in the message, so the deliveries continue the trace.</summary>
    private static async ValueTask PublishInstrumentedAsync(IBroker broker, string topic, Dictionary<string, string> header, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        using var activity = MicroTelemetry.Source.StartActivity(topic + " publish", ActivityKind.Producer);
        activity?.SetTag("messaging.system", broker.Name);
        activity?.SetTag("messaging.destination.name", topic);
        TraceContext.Inject(activity, header);
        try
        {
            await broker.PublishAsync(topic, new BrokerMessage(header, body), cancellationToken).ConfigureAwait(false);
            MicroTelemetry.BrokerPublished.Add(1, new KeyValuePair<string, object?>("topic", topic));
        }
        catch (Exception e)
        {
            activity?.SetStatus(ActivityStatusCode.Error, e.Message);
            throw;
        }
    }

    public ValueTask PublishAsync<TMessage>(string topic, TMessage message, PublishOptions? options = null, CancellationToken cancellationToken = default)
    {
        var codec = _codecs.Get(_options.ContentType);
        return PublishAsync(new MicroMessage(topic, codec.Encode(message), codec.ContentType), options, cancellationToken);
    }

    private async ValueTask<MicroResponse> SendAsync(MicroRequest request, CallOptions options, CancellationToken cancellationToken)
    {
        var timeout = options.Timeout ?? _options.RequestTimeout;
        var now = _time.GetUtcNow();
        var deadline = now + timeout;
        if (CallContext.Current?.Deadline is { } inherited && inherited < deadline)
        {
            deadline = inherited; // the caller's caller is waiting only this long
        }

        using var deadlineCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var remaining = deadline - now;
        if (remaining <= TimeSpan.Zero)
        {
            throw MicroException.Timeout(ClientId, $"call to {request.Service} {request.Endpoint}: deadline already passed");
        }

        deadlineCts.CancelAfter(remaining);
        var retries = Math.Max(0, options.Retries ?? _options.Retries);
        var attemptTimeout = options.AttemptTimeout ?? _options.AttemptTimeout;
        List<string>? tried = null;
        MicroException? last = null;
        for (var attempt = 0; attempt <= retries; attempt++)
        {
            try
            {
                if (attempt > 0)
                {
                    var wait = _options.Backoff(attempt);
                    if (wait > TimeSpan.Zero)
                    {
                        await Task.Delay(wait, _time, deadlineCts.Token).ConfigureAwait(false);
                    }
                }

                if (attemptTimeout is not { } perAttempt || _time.GetUtcNow() + perAttempt >= deadline)
                {
                    return await AttemptAsync(request, options, deadline, null, tried, t => tried = t, deadlineCts.Token, deadlineCts.Token).ConfigureAwait(false);
                }

                // This attempt gets less than the whole call: when it runs out the node is marked and the retry goes elsewhere.
                using var attemptCts = CancellationTokenSource.CreateLinkedTokenSource(deadlineCts.Token);
                attemptCts.CancelAfter(perAttempt);
                return await AttemptAsync(request, options, _time.GetUtcNow() + perAttempt, perAttempt, tried, t => tried = t, deadlineCts.Token, attemptCts.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw MicroException.Timeout(ClientId, $"call to {request.Service} {request.Endpoint} timed out after {FormatDuration(timeout)}" + (last is null ? "" : $" (last error: {last.Detail})"));
            }
            catch (MicroException e) when (attempt < retries && _options.ShouldRetry(e) && e.Code != 404)
            {
                last = e;
                MicroTelemetry.ClientRetries.Add(1, new KeyValuePair<string, object?>("service", request.Service));
                Activity.Current?.AddEvent(new ActivityEvent("retry", tags: new ActivityTagsCollection { ["error"] = e.Detail }));
                _logger.LogDebug("Call to {Service} {Endpoint} failed (attempt {Attempt}): {Error}; retrying", request.Service, request.Endpoint, attempt + 1, e.Detail);
            }
        }

        throw last ?? MicroException.InternalServerError(ClientId, "call failed");
    }

    /// <param name="attemptTimeout">Set when this attempt has its own limit (shorter than the call's).</param>
    /// <param name="callToken">The whole call's token: when it is not cancelled but the attempt's is, only the attempt ran out.</param>
    private async ValueTask<MicroResponse> AttemptAsync(MicroRequest request, CallOptions options, DateTimeOffset deadline, TimeSpan? attemptTimeout,
        List<string>? tried, Action<List<string>> setTried, CancellationToken callToken, CancellationToken cancellationToken)
    {
        var (address, nodeId, transport) = await ResolveAsync(request.Service, options, tried, cancellationToken).ConfigureAwait(false);

        var message = new TransportMessage(BuildHeaders(request, options, deadline));
        var envelope = RpcEnvelope.For(request.ContentType);
        message.Body = envelope is null ? request.Body : envelope.WrapRequest(request.Endpoint, (ulong)Interlocked.Increment(ref _sequence), request.Body);
        TransportMessage reply;
        try
        {
            reply = await transport.RequestAsync(address, message, cancellationToken).ConfigureAwait(false);
        }
        catch (MicroException e) when (e.IsTransportError && nodeId is not null)
        {
            _selector.Mark(request.Service, nodeId, success: false);
            (tried ??= []).Add(nodeId);
            setTried(tried);
            throw;
        }
        catch (OperationCanceledException) when (attemptTimeout is { } limit && cancellationToken.IsCancellationRequested && !callToken.IsCancellationRequested)
        {
            // Only this attempt ran out (the call has time left): a node fault, retried on another node.
            if (nodeId is not null)
            {
                _selector.Mark(request.Service, nodeId, success: false);
                (tried ??= []).Add(nodeId);
                setTried(tried);
            }

            throw MicroException.Timeout(ClientId, $"attempt on {address} got no answer within {FormatDuration(limit)}");
        }

        var replyBody = reply.Body;
        if (envelope is not null && RpcEnvelope.For(reply.Header(MicroHeaders.ContentType)) is not null && !reply.Headers.ContainsKey(MicroHeaders.Error))
        {
            (replyBody, var enveloped) = envelope.UnwrapResponse(reply.Body);
            if (enveloped is not null)
            {
                reply.Headers[MicroHeaders.Error] = enveloped; // a peer that reports errors only inside the envelope
            }
        }

        if (reply.Headers.TryGetValue(MicroHeaders.Error, out var errorJson) && errorJson.Length > 0)
        {
            var error = MicroException.Parse(errorJson);
            if (nodeId is not null)
            {
                var nodeFault = error.Code is 408 or 503 or >= 500;
                _selector.Mark(request.Service, nodeId, success: !nodeFault);
                if (nodeFault)
                {
                    (tried ??= []).Add(nodeId);
                    setTried(tried);
                }
            }

            throw error;
        }

        if (nodeId is not null)
        {
            _selector.Mark(request.Service, nodeId, success: true);
        }

        return new MicroResponse(replyBody, envelope?.InnerContentType ?? reply.Header(MicroHeaders.ContentType) ?? request.ContentType, ResponseMetadata(reply.Headers));
    }

    /// <summary>
    /// Where a call goes: the given address, or a node chosen by the selector (avoiding <paramref name="tried"/>), and the
    /// transport that node advertises (so the client speaks to each node the way it listens).
    /// </summary>
    private async ValueTask<(string Address, string? NodeId, ITransport Transport)> ResolveAsync(string service, CallOptions options, List<string>? tried, CancellationToken cancellationToken)
    {
        if (options.Address is { Length: > 0 } direct)
        {
            // A node registered at that address says how it listens (an http node gets HTTP, not a tcp frame); an
            // address no node of the service has goes over the client's own transport.
            return (direct, null, await DirectTransportAsync(service, direct, cancellationToken).ConfigureAwait(false));
        }

        var node = await _selector.SelectAsync(service, new SelectRequest(options.SelectKey, options.Filter, tried), cancellationToken).ConfigureAwait(false);
        return (node.Address, node.Id, TransportOf(node));
    }

    /// <summary>The transport (and server) a node advertises in its metadata, when this client has it; else the client's.</summary>
    private ITransport TransportOf(SelectableNode node)
    {
        if (_transportFor is null || node.Node.Metadata?.GetValueOrDefault("transport") is not { } advertised)
        {
            return _transport;
        }

        var server = node.Node.Metadata.GetValueOrDefault("transport_address");
        return string.Equals(advertised, _transport.Name, StringComparison.OrdinalIgnoreCase) && server is null
            ? _transport
            : _transportFor(advertised, server) ?? _transport;
    }

    private async ValueTask<ITransport> DirectTransportAsync(string service, string address, CancellationToken cancellationToken)
    {
        if (_transportFor is null || _selector is not RegistrySelector registry)
        {
            return _transport;
        }

        try
        {
            var nodes = await registry.GetNodesAsync(service, cancellationToken).ConfigureAwait(false);
            return Array.Find(nodes, n => string.Equals(n.Node.Address, address, StringComparison.OrdinalIgnoreCase)) is { } node ? TransportOf(node) : _transport;
        }
        catch (Exception e) when (e is MicroException or InvalidOperationException or IOException or HttpRequestException)
        {
            return _transport; // registry unreachable: the address alone still gets a try
        }
    }

    private Dictionary<string, string> BuildHeaders(MicroRequest request, CallOptions options, DateTimeOffset deadline)
    {
        var headers = TransportMessage.NewHeaders(8 + (options.Metadata?.Count ?? 0));
        if (options.Metadata is not null)
        {
            foreach (var (k, v) in options.Metadata)
            {
                headers[k] = v;
            }
        }

        TraceContext.Inject(Activity.Current, headers);
        headers[MicroHeaders.ContentType] = request.ContentType;
        headers[MicroHeaders.Accept] = options.Accept ?? request.ContentType;
        var remainingNs = Math.Max(1, (deadline - _time.GetUtcNow()).Ticks) * 100;
        headers[MicroHeaders.Timeout] = remainingNs.ToString(CultureInfo.InvariantCulture);
        headers[MicroHeaders.Id] = Guid.NewGuid().ToString();
        headers[MicroHeaders.Service] = request.Service;
        headers[MicroHeaders.Method] = request.Endpoint;
        headers[MicroHeaders.Endpoint] = request.Endpoint;
        if (_options.FromService is { } from)
        {
            headers[MicroHeaders.FromService] = from;
        }

        return headers;
    }

    private static Dictionary<string, string> ResponseMetadata(Dictionary<string, string> headers)
    {
        // The caller sees everything the server sent except the protocol's own headers.
        var metadata = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (k, v) in headers)
        {
            if (!MicroHeaders.IsProtocolHeader(k))
            {
                metadata[k] = v;
            }
        }

        return metadata;
    }

    private static string FormatDuration(TimeSpan t) => t.TotalSeconds >= 1 ? $"{t.TotalSeconds:0.###}s" : $"{t.TotalMilliseconds:0}ms";
}
