using System.Runtime.CompilerServices;

namespace Micro.Server;

/// <summary>
/// The <c>admission</c> stage: once the server is stopping, every new request gets 503 at once; past the concurrency
/// limit (<see cref="ConcurrencyLimitOptions"/>) too, without queueing. Clients retry a 503 on another node.
/// </summary>
internal sealed class AdmissionStage(RequestHandler next, string service, string nodeId, CancellationToken stopping, ConcurrencyLimiter? limiter)
{
    public ValueTask<ServerResponse> InvokeAsync(ServerRequest request, CancellationToken cancellationToken)
    {
        Admit(stopping, service, nodeId);
        if (limiter is null)
        {
            return next(request, cancellationToken);
        }

        if (!limiter.TryAcquire())
        {
            // Answered, not thrown: shedding must cost less than serving.
            return new(ServerResponse.Failure(MicroException.Unavailable(service, $"service {service} node {nodeId} is overloaded ({limiter.Limit} requests in flight); try another node")));
        }

        var started = limiter.Now();
        ValueTask<ServerResponse> pending;
        try
        {
            pending = next(request, cancellationToken);
        }
        catch
        {
            limiter.Release(started);
            throw;
        }

        if (pending.IsCompleted)
        {
            limiter.Release(started);
            return pending;
        }

        return ReleaseAfterAsync(pending, started);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<ServerResponse> ReleaseAfterAsync(ValueTask<ServerResponse> pending, long started)
    {
        try
        {
            return await pending.ConfigureAwait(false);
        }
        finally
        {
            limiter!.Release(started);
        }
    }

    /// <summary>The stopping check, shared with streams (which the concurrency limit leaves alone: they are long-lived).</summary>
    internal static void Admit(CancellationToken stopping, string service, string nodeId)
    {
        if (stopping.IsCancellationRequested)
        {
            throw MicroException.Unavailable(service, $"service {service} node {nodeId} is stopping");
        }
    }
}
