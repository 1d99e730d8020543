using System.Globalization;
using System.Runtime.CompilerServices;
using Micro.Transport;

namespace Micro.Server;

/// <summary>
/// The <c>deadline</c> stage: the caller's <c>Micro-Timeout</c> (nanoseconds, at most a day) becomes
/// <see cref="ServerRequest.Deadline"/>, <see cref="CallContext.Deadline"/> (which calls made by the handler inherit)
/// and the handler's cancellation; a request that runs past it, or whose caller goes away, gets 408.
/// </summary>
internal sealed class ServerDeadlineStage(RequestHandler next, string service, TimeProvider time)
{
    public ValueTask<ServerResponse> InvokeAsync(ServerRequest request, CancellationToken cancellationToken)
        => request.Headers.TryGetValue(MicroHeaders.Timeout, out var text) && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var ns) && ns > 0
            ? WithinAsync(request, TimeSpan.FromTicks(Math.Min(ns / 100, TimeSpan.FromDays(1).Ticks)), cancellationToken)
            : next(request, cancellationToken);

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<ServerResponse> WithinAsync(ServerRequest request, TimeSpan timeout, CancellationToken cancellationToken)
    {
        request.Context.Deadline = time.GetUtcNow() + timeout;

        using var timeoutCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutCts.CancelAfter(timeout);
        try
        {
            return await next(request, timeoutCts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeoutCts.IsCancellationRequested)
        {
            throw MicroException.Timeout(service, cancellationToken.IsCancellationRequested
                ? $"{request.Endpoint}: cancelled by the caller"
                : $"{request.Endpoint}: deadline exceeded");
        }
    }
}
