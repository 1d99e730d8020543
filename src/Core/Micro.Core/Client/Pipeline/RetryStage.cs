using System.Diagnostics;
using System.Runtime.CompilerServices;
using Micro.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Micro.Client;

/// <summary>
/// The <c>retry</c> stage: runs the attempts. A failure <see cref="ClientOptions.ShouldRetry"/> accepts (never a 404) is
/// tried again after <see cref="ClientOptions.Backoff"/>, up to the call's retries, within the deadline, while the
/// service's retry budget (<see cref="ClientOptions.RetryBudget"/>) allows; past it the failure is the call's answer.
/// </summary>
internal sealed class RetryStage(CallHandler next, ClientOptions options, RetryBudget? budget, TimeProvider time, ILogger logger)
{
    private readonly RetryBudget? _budget = budget;

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<MicroResponse> InvokeAsync(ClientCall call, CancellationToken cancellationToken)
    {
        var retries = Math.Max(0, call.Options.Retries ?? options.Retries);
        _budget?.RecordCall(call.Request.Service);
        for (var attempt = 0; ; attempt++)
        {
            call.BeginAttempt(attempt);
            try
            {
                if (attempt > 0)
                {
                    var wait = options.Backoff(attempt);
                    if (wait > TimeSpan.Zero)
                    {
                        await Task.Delay(wait, time, cancellationToken).ConfigureAwait(false);
                    }
                }

                return await next(call, cancellationToken).ConfigureAwait(false);
            }
            catch (MicroException e) when (attempt < retries && options.ShouldRetry(e) && e.Code != 404 && WithinBudget(call, e))
            {
                call.LastError = e;
                MicroTelemetry.ClientRetries.Add(1, new KeyValuePair<string, object?>("service", call.Request.Service));
                Activity.Current?.AddEvent(new ActivityEvent("retry", tags: new ActivityTagsCollection { ["error"] = e.Detail }));
                logger.LogDebug("Call to {Service} {Endpoint} failed (attempt {Attempt}): {Error}; retrying", call.Request.Service, call.Request.Endpoint, attempt + 1, e.Detail);
            }
        }
    }

    /// <summary>Takes a retry from the budget; when it is spent, says so (metric, span event) and lets the failure through.</summary>
    private bool WithinBudget(ClientCall call, MicroException error)
    {
        if (_budget is null || _budget.TryRetry(call.Request.Service))
        {
            return true;
        }

        MicroTelemetry.ClientRetriesRefused.Add(1, new KeyValuePair<string, object?>("service", call.Request.Service));
        Activity.Current?.AddEvent(new ActivityEvent("retry budget spent", tags: new ActivityTagsCollection { ["error"] = error.Detail }));
        logger.LogDebug("Call to {Service} {Endpoint} failed (attempt {Attempt}): {Error}; not retried, the service's retry budget is spent", call.Request.Service, call.Request.Endpoint, call.Attempt + 1, error.Detail);
        return false;
    }
}
