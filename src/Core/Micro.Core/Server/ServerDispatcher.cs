using System.Runtime.CompilerServices;
using Micro.Codec;
using Micro.Pipelines;
using Micro.Transport;
using Microsoft.Extensions.Logging;

namespace Micro.Server;

/// <summary>
/// What the transport calls: each request through the server pipeline, each stream to its endpoint. Calls and streams
/// share admission (503 while stopping), the endpoint table (404s naming what there is) and error mapping, and one
/// count of work in flight that stopping waits for.
/// </summary>
internal sealed class ServerDispatcher : ITransportHandler
{
    private readonly string _service;
    private readonly string _nodeId;
    private readonly CodecRegistry _codecs;
    private readonly ILogger _logger;
    private readonly CancellationToken _stopping;
    private readonly EndpointTable _endpoints;
    private readonly RequestHandler _pipeline;
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _inFlight;

    public ServerDispatcher(string service, string nodeId, EndpointTable endpoints, MicroPipeline<ServerMiddleware> stages, CodecRegistry codecs,
        TimeProvider time, ILogger logger, CancellationToken stopping, ConcurrencyLimitOptions? concurrencyLimit = null)
    {
        Limiter = concurrencyLimit is null ? null : new ConcurrencyLimiter(concurrencyLimit, time);
        _service = service;
        _nodeId = nodeId;
        _endpoints = endpoints;
        _codecs = codecs;
        _logger = logger;
        _stopping = stopping;
        _pipeline = stages.Build<RequestHandler>(static (request, cancellationToken) =>
                (request.Handler ?? throw new InvalidOperationException("No stage found the endpoint: the server pipeline needs its route stage."))(request, cancellationToken),
            static (middleware, next) => middleware(next),
            (stage, next) => stage switch
            {
                ServerStages.Telemetry => new ServerTelemetryStage(next, service, nodeId, time).InvokeAsync,
                ServerStages.Errors => new ErrorMappingStage(next, service, logger).InvokeAsync,
                ServerStages.Admission => new AdmissionStage(next, service, nodeId, stopping, Limiter).InvokeAsync,
                ServerStages.Route => new RouteStage(next, endpoints, codecs).InvokeAsync,
                ServerStages.Deadline => new ServerDeadlineStage(next, service, time).InvokeAsync,
                _ => throw new InvalidOperationException($"'{stage}' is not a built-in server stage ({string.Join(", ", ServerStages.Order)})."),
            });
    }

    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>The concurrency limit of calls (null: none).</summary>
    internal ConcurrencyLimiter? Limiter { get; }

    /// <summary>Completes once nothing is in flight after stopping began.</summary>
    public Task Drained
    {
        get
        {
            if (Volatile.Read(ref _inFlight) == 0)
            {
                _drained.TrySetResult();
            }

            return _drained.Task;
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<TransportMessage> HandleAsync(TransportMessage request, TransportPeer peer, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _inFlight);
        // The transport gave us this dictionary; it becomes the request's metadata (every header plus the addresses).
        var headers = request.HeaderMap;
        headers[MicroHeaders.Local] = peer.LocalAddress;
        headers[MicroHeaders.Remote] = peer.RemoteAddress;
        var endpoint = headers.GetValueOrDefault(MicroHeaders.Endpoint) ?? headers.GetValueOrDefault(MicroHeaders.Method) ?? "";
        var contentType = headers.GetValueOrDefault(MicroHeaders.ContentType) ?? JsonCodec.MediaType;
        var serverRequest = new ServerRequest(_service, _nodeId, endpoint, contentType, headers, request.Body, peer);
        ServerResponse response;
        try
        {
            response = await _pipeline(serverRequest, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // A pipeline without its errors stage (or a stage outside it) failed: the caller still gets an answer.
            response = ServerResponse.Failure(ErrorMappingStage.Map(e, serverRequest.Endpoint, _service, _logger));
        }
        finally
        {
            CallContext.Current = null;
            Done();
        }

        return ServerReplies.To(serverRequest, headers.GetValueOrDefault(MicroHeaders.Id), response);
    }

    public async ValueTask HandleStreamAsync(ITransportStream stream, TransportPeer peer, CancellationToken cancellationToken)
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
            AdmissionStage.Admit(_stopping, _service, _nodeId);
            var handler = _endpoints.FindStream(endpoint);
            var codec = _codecs.Get(headers.GetValueOrDefault(MicroHeaders.ContentType) ?? JsonCodec.MediaType);
            CallContext.Current = new CallContext(_service, endpoint, headers, null, _nodeId);
            await handler(new ServerStream(stream, codec), cancellationToken).ConfigureAwait(false);
            await stream.CompleteAsync(null, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The caller went away: nobody to tell.
        }
        catch (Exception e)
        {
            await stream.CompleteAsync(ErrorMappingStage.Map(e, endpoint, _service, _logger).ToJson(), CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            CallContext.Current = null;
            Done();
        }
    }

    private void Done()
    {
        if (Interlocked.Decrement(ref _inFlight) == 0 && _stopping.IsCancellationRequested)
        {
            _drained.TrySetResult();
        }
    }
}
