namespace Greeter.Service;

public sealed record HelloRequest(string Name);

public sealed record HelloResponse(string Msg);

/// <summary>A plain class: its public async methods become endpoints (here `Greeter.Hello`).</summary>
public sealed class Greeter
{
    public Task<HelloResponse> Hello(HelloRequest request, CancellationToken cancellationToken)
    {
        // Response metadata reaches the caller as headers; the demo uses it to show which instance answered.
        if (Micro.CallContext.Current is { } call)
        {
            call.ResponseMetadata["X-Node-Id"] = call.NodeId;
        }

        return Task.FromResult(new HelloResponse($"Hello {request.Name}"));
    }
}
