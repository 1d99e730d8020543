namespace Micro.Server;

/// <summary>The <c>admission</c> stage: once the server is stopping, every new request gets 503 at once, which clients retry on another node.</summary>
internal sealed class AdmissionStage(RequestHandler next, string service, string nodeId, CancellationToken stopping)
{
    public ValueTask<ServerResponse> InvokeAsync(ServerRequest request, CancellationToken cancellationToken)
    {
        Admit(stopping, service, nodeId);
        return next(request, cancellationToken);
    }

    /// <summary>The check itself, shared with streams.</summary>
    internal static void Admit(CancellationToken stopping, string service, string nodeId)
    {
        if (stopping.IsCancellationRequested)
        {
            throw MicroException.Unavailable(service, $"service {service} node {nodeId} is stopping");
        }
    }
}
