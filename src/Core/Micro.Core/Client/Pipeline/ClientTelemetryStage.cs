using System.Diagnostics;
using System.Runtime.CompilerServices;
using Micro.Diagnostics;

namespace Micro.Client;

/// <summary>The <c>telemetry</c> stage: one client span per call with its request, error and duration metrics.</summary>
internal sealed class ClientTelemetryStage(CallHandler next)
{
    public ValueTask<MicroResponse> InvokeAsync(ClientCall call, CancellationToken cancellationToken)
        // Nothing listening (the common case in a benchmark): no span, no tags, no extra async step.
        => MicroTelemetry.Source.HasListeners() || MicroTelemetry.ClientMeasured
            ? InstrumentedAsync(call, cancellationToken)
            : next(call, cancellationToken);

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<MicroResponse> InstrumentedAsync(ClientCall call, CancellationToken cancellationToken)
    {
        var service = call.Request.Service;
        var endpoint = call.Request.Endpoint;
        using var activity = MicroTelemetry.Source.StartActivity(endpoint, ActivityKind.Client);
        activity?.SetTag("rpc.system", "micro");
        activity?.SetTag("rpc.service", service);
        activity?.SetTag("rpc.method", endpoint);
        var started = Stopwatch.GetTimestamp();
        var code = 200;
        try
        {
            return await next(call, cancellationToken).ConfigureAwait(false);
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
                var tags = new TagList { { "service", service }, { "endpoint", endpoint }, { "code", code } };
                MicroTelemetry.ClientRequests.Add(1, tags);
                if (code != 200)
                {
                    MicroTelemetry.ClientErrors.Add(1, tags);
                }

                MicroTelemetry.ClientDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, tags);
            }
        }
    }
}
