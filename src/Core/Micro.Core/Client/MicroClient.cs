using System.Runtime.CompilerServices;
using Micro.Broker;
using Micro.Codec;
using Micro.Pipelines;
using Micro.Selector;
using Micro.Transport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Micro.Client;

/// <summary>
/// The client: calls run through the client pipeline (<see cref="ClientStages"/>: telemetry, deadline, retry, select,
/// node marking, attempt timeout, then the transport's request); streams open through <see cref="ClientStreams"/> and
/// messages go out through <see cref="ClientPublisher"/>, all with headers from <see cref="RequestHeaders"/>.
/// </summary>
public sealed class MicroClient : IMicroClient
{
    internal const string ClientId = "go.micro.client";
    private readonly CodecRegistry _codecs;
    private readonly ClientOptions _options;
    private readonly CallHandler _pipeline;
    private readonly ClientStreams _streams;
    private readonly ClientPublisher _publisher;

    /// <param name="pipeline">
    /// The stages every call passes through (<see cref="ClientStages.CreatePipeline"/> with changes); null runs the
    /// built-in ones in their documented order.
    /// </param>
    /// <param name="transportFor">
    /// Finds the transport a node advertises in its <c>transport</c> metadata (and, for NATS and RabbitMQ, the server in its
    /// <c>transport_address</c>) when it differs from <paramref name="transport"/>, so one client can call tcp, http, nats
    /// and rabbitmq nodes; null sends everything over <paramref name="transport"/>.
    /// </param>
    public MicroClient(ISelector selector, ITransport transport, CodecRegistry? codecs = null, ClientOptions? options = null,
        MicroPipeline<ClientMiddleware>? pipeline = null, TimeProvider? timeProvider = null, ILogger<MicroClient>? logger = null, IBroker? broker = null,
        Func<string, string?, ITransport?>? transportFor = null)
    {
        ArgumentNullException.ThrowIfNull(selector);
        ArgumentNullException.ThrowIfNull(transport);
        _codecs = codecs ?? CodecRegistry.Default;
        _options = options ?? ClientOptions.Default;
        var time = timeProvider ?? TimeProvider.System;
        var resolver = new NodeResolver(selector, transport, transportFor);
        _streams = new ClientStreams(resolver, time);
        _publisher = new ClientPublisher(broker, _options.FromService);
        var log = (ILogger?)logger ?? NullLogger.Instance;
        var send = new SendStep(_options.FromService, time);
        var budget = _options.RetryBudget is { } b ? new RetryBudget(b, time) : null; // retries and hedges draw on one budget
        _pipeline = (pipeline ?? ClientStages.CreatePipeline()).Build<CallHandler>(send.SendAsync, static (middleware, next) => middleware(next), (stage, next) => stage switch
        {
            ClientStages.Telemetry => new ClientTelemetryStage(next).InvokeAsync,
            ClientStages.Deadline => new DeadlineStage(next, time).InvokeAsync,
            ClientStages.Retry => new RetryStage(next, _options, budget, time, log).InvokeAsync,
            ClientStages.Hedge => new HedgeStage(next, _options.Hedging, budget, time).InvokeAsync,
            ClientStages.Select => new SelectStage(next, resolver).InvokeAsync,
            ClientStages.NodeMarking => new NodeMarkingStage(next, selector, time).InvokeAsync,
            ClientStages.AttemptTimeout => new AttemptTimeoutStage(next, _options, time).InvokeAsync,
            _ => throw new InvalidOperationException($"'{stage}' is not a built-in client stage ({string.Join(", ", ClientStages.Order)})."),
        });
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

        options ??= CallOptions.Default;
        return _pipeline(new ClientCall(request, options, options.Timeout ?? _options.RequestTimeout), cancellationToken);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<TResponse> CallAsync<TRequest, TResponse>(string service, string endpoint, TRequest request, CallOptions? options = null, CancellationToken cancellationToken = default)
    {
        var codec = _codecs.Get(_options.ContentType);
        var response = await CallAsync(new MicroRequest(service, endpoint, codec.Encode(request), codec.ContentType), options, cancellationToken).ConfigureAwait(false);
        var replyCodec = _codecs.TryGet(response.ContentType, out var c) ? c : codec;
        return replyCodec.Decode<TResponse>(response.Body);
    }

    public ValueTask<MicroStream> OpenStreamAsync(MicroRequest request, CallOptions? options = null, CancellationToken cancellationToken = default)
        => _streams.OpenAsync(request, options ?? CallOptions.Default, cancellationToken);

    public ValueTask PublishAsync(MicroMessage message, PublishOptions? options = null, CancellationToken cancellationToken = default)
        => _publisher.PublishAsync(message, options, cancellationToken);

    public ValueTask PublishAsync<TMessage>(string topic, TMessage message, PublishOptions? options = null, CancellationToken cancellationToken = default)
    {
        var codec = _codecs.Get(_options.ContentType);
        return PublishAsync(new MicroMessage(topic, codec.Encode(message), codec.ContentType), options, cancellationToken);
    }
}
