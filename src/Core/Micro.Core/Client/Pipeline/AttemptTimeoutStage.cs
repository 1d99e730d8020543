using System.Runtime.CompilerServices;

namespace Micro.Client;

/// <summary>
/// The <c>attempt-timeout</c> stage: when <see cref="ClientOptions.AttemptTimeout"/> (or the call's) is shorter than
/// the time left, one attempt gets only that long; running out is the node's fault (408), and the retry goes elsewhere.
/// </summary>
internal sealed class AttemptTimeoutStage(CallHandler next, ClientOptions options, TimeProvider time)
{
    public ValueTask<MicroResponse> InvokeAsync(ClientCall call, CancellationToken cancellationToken)
    {
        var limit = call.Options.AttemptTimeout ?? options.AttemptTimeout;
        return limit is { } perAttempt && time.GetUtcNow() + perAttempt < call.Deadline
            ? BoundedAsync(call, perAttempt, cancellationToken)
            : next(call, cancellationToken); // the attempt may use the whole call
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<MicroResponse> BoundedAsync(ClientCall call, TimeSpan limit, CancellationToken cancellationToken)
    {
        using var attemptCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        attemptCts.CancelAfter(limit);
        call.AttemptDeadline = time.GetUtcNow() + limit;
        try
        {
            return await next(call, attemptCts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (attemptCts.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            // Only this attempt ran out (the call has time left).
            call.AttemptTimedOut = true;
            throw MicroException.Timeout(MicroClient.ClientId, $"attempt on {call.Target?.Address ?? call.Request.Service} got no answer within {Durations.Format(limit)}");
        }
    }
}
