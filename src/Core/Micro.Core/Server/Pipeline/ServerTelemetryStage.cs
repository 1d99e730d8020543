using System.Diagnostics;
using System.Runtime.CompilerServices;
using Micro.Diagnostics;

namespace Micro.Server;

/// <summary>The <c>telemetry</c> stage: one server span per request and its metrics, on the server's clock (so durations test on a fake one).</summary>
internal sealed class ServerTelemetryStage(RequestHandler next, string service, string nodeId, TimeProvider time)
{
    public ValueTask<ServerResponse> InvokeAsync(ServerRequest request, CancellationToken cancellationToken)
        // Nothing listening: no span, no tags, no extra async step.
        => MicroTelemetry.Source.HasListeners() || MicroTelemetry.ServerMeasured
            ? InstrumentedAsync(request, cancellationToken)
            : next(request, cancellationToken);

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<ServerResponse> InstrumentedAsync(ServerRequest request, CancellationToken cancellationToken)
    {
        var endpoint = request.Endpoint;
        using var activity = MicroTelemetry.Source.StartActivity(endpoint, ActivityKind.Server, TraceContext.Extract(request.Headers));
        activity?.SetTag("rpc.system", "micro");
        activity?.SetTag("rpc.service", service);
        activity?.SetTag("rpc.method", endpoint);
        activity?.SetTag("client.address", request.Peer.RemoteAddress);
        var measured = MicroTelemetry.ServerMeasured;
        if (measured)
        {
            MicroTelemetry.ServerActiveRequests.Add(1, new KeyValuePair<string, object?>("service", service));
        }

        var started = measured ? time.GetTimestamp() : 0;
        var code = 500;
        try
        {
            var response = await next(request, cancellationToken).ConfigureAwait(false);
            code = response.Error?.Code ?? 200;
            return response;
        }
        catch (MicroException e)
        {
            code = e.Code;
            throw;
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
                MicroTelemetry.ServerActiveRequests.Add(-1, new KeyValuePair<string, object?>("service", service));
                var tags = new TagList { { "service", service }, { "endpoint", endpoint }, { "code", code }, { "node", nodeId } };
                MicroTelemetry.ServerRequests.Add(1, tags);
                if (code != 200)
                {
                    MicroTelemetry.ServerErrors.Add(1, tags);
                }

                MicroTelemetry.ServerDuration.Record(time.GetElapsedTime(started).TotalSeconds, tags);
            }
        }
    }
}
