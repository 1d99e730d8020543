using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Micro.Diagnostics;
using Micro.Server;

namespace Micro.Client;

/// <summary>
/// The <c>hedge</c> stage (<see cref="HedgingOptions"/>): an idempotent call whose attempt has not answered within the
/// delay gets a second attempt to another node; the first success wins and the other is cancelled (over tcp a cancel
/// frame reaches its server, whose handler is cancelled). An endpoint counts as idempotent once a node's registry
/// entry said so (its metadata <c>idempotent: true</c>), or when the call says so. Other calls pass straight through.
/// </summary>
internal sealed class HedgeStage(CallHandler next, HedgingOptions? options, RetryBudget? budget, TimeProvider time)
{
    private const int MaxEndpoints = 4096;
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, EndpointLatency>> _idempotent = new(StringComparer.Ordinal);
    private int _endpoints;

    public ValueTask<MicroResponse> InvokeAsync(ClientCall call, CancellationToken cancellationToken)
    {
        if (options is null || call.Options.Idempotent == false)
        {
            return next(call, cancellationToken);
        }

        var latency = Known(call.Request.Service, call.Request.Endpoint);
        if (latency is null && call.Options.Idempotent != true)
        {
            var pending = next(call, cancellationToken);
            // The node chosen tells whether the endpoint may be hedged: learnt now, used from the next call.
            if (call.Target?.Node is { IdempotentEndpoints.Count: > 0 } node && node.IdempotentEndpoints.Contains(call.Request.Endpoint))
            {
                Learn(call.Request.Service, call.Request.Endpoint);
            }

            return pending;
        }

        return HedgedAsync(call, latency ?? Learn(call.Request.Service, call.Request.Endpoint), cancellationToken);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<MicroResponse> HedgedAsync(ClientCall call, EndpointLatency? latency, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var p95 = latency?.P95(options!.MinSamples) ?? -1;
        var delay = call.Options.HedgeDelay ?? options!.Delay ?? (p95 >= 0 ? TimeSpan.FromSeconds((double)p95 / time.TimestampFrequency) : null);
        if (delay < options!.MinDelay && call.Options.HedgeDelay is null && options.Delay is null)
        {
            delay = options.MinDelay; // a percentile below it is noise, not a tail worth a second attempt
        }

        if (delay is null)
        {
            var alone = await next(call, cancellationToken).ConfigureAwait(false);
            latency?.Record(time.GetTimestamp() - started);
            return alone;
        }

        using var firstCancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var first = next(call, firstCancel.Token).AsTask();
        try
        {
            var answer = await first.WaitAsync(delay.Value, time, cancellationToken).ConfigureAwait(false);
            latency?.Record(time.GetTimestamp() - started);
            return answer;
        }
        catch (TimeoutException)
        {
            // Slower than the delay: hedge, if the budget allows.
        }

        if (budget is not null && !budget.TryRetry(call.Request.Service))
        {
            return await first.ConfigureAwait(false);
        }

        var hedge = call.ForHedge();
        using var hedgeCancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        MicroTelemetry.ClientHedges.Add(1, new KeyValuePair<string, object?>("service", call.Request.Service));
        var second = next(hedge, hedgeCancel.Token).AsTask();
        var winner = await Task.WhenAny(first, second).ConfigureAwait(false);
        if (!winner.IsCompletedSuccessfully)
        {
            winner = winner == first ? second : first; // the other may still succeed
            await ((Task)winner).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        var loser = winner == first ? second : first;
        if (winner.IsCompletedSuccessfully && !loser.IsCompleted)
        {
            (winner == first ? hedge : call).LostToHedge = true; // its node was slower than another: counted against it
        }

        await (winner == first ? hedgeCancel : firstCancel).CancelAsync().ConfigureAwait(false); // the other attempt ends, on its server too
        await ((Task)loser).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing); // cancelled at once; then nothing else touches this call
        latency?.Record(time.GetTimestamp() - started); // as long as the first took, or at least the delay: the tail stays in the percentile
        if (winner == second)
        {
            call.TakeAttemptFrom(hedge);
        }
        else
        {
            call.AvoidAll(hedge.AvoidedNodes);
        }

        return await winner.ConfigureAwait(false); // both failed: the error of the one that ended last
    }

    private EndpointLatency? Known(string service, string endpoint)
        => !_idempotent.IsEmpty && _idempotent.TryGetValue(service, out var endpoints) && endpoints.TryGetValue(endpoint, out var latency) ? latency : null;

    private EndpointLatency? Learn(string service, string endpoint)
    {
        if (Volatile.Read(ref _endpoints) >= MaxEndpoints)
        {
            return null; // callers naming endless endpoints are hedged with a fixed delay only, never tracked
        }

        var endpoints = _idempotent.GetOrAdd(service, static _ => new ConcurrentDictionary<string, EndpointLatency>(StringComparer.Ordinal));
        return endpoints.GetOrAdd(endpoint, _ =>
        {
            Interlocked.Increment(ref _endpoints);
            return new EndpointLatency();
        });
    }
}
