using System.Runtime.CompilerServices;

namespace Micro.Client;

/// <summary>
/// The <c>deadline</c> stage: the whole call (all attempts) ends at the sooner of its timeout and the deadline of the
/// request being handled (<see cref="CallContext.Current"/>), so deadlines cascade; past it the call fails with 408.
/// </summary>
internal sealed class DeadlineStage(CallHandler next, TimeProvider time)
{
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<MicroResponse> InvokeAsync(ClientCall call, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var deadline = now + call.Timeout;
        if (CallContext.Current?.Deadline is { } inherited && inherited < deadline)
        {
            deadline = inherited; // the caller's caller is waiting only this long
        }

        var remaining = deadline - now;
        if (remaining <= TimeSpan.Zero)
        {
            throw MicroException.Timeout(MicroClient.ClientId, $"call to {call.Request.Service} {call.Request.Endpoint}: deadline already passed");
        }

        call.Deadline = deadline;
        using var deadlineCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadlineCts.CancelAfter(remaining);
        try
        {
            return await next(call, deadlineCts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw MicroException.Timeout(MicroClient.ClientId, $"call to {call.Request.Service} {call.Request.Endpoint} timed out after {Durations.Format(call.Timeout)}"
                + (call.LastError is { } last ? $" (last error: {last.Detail})" : ""));
        }
    }
}
