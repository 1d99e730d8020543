using Greeter.Contracts;

namespace Greeter.Service;

/// <summary>Implements the shared contract; served through the generated binding (no reflection per call).</summary>
public sealed class Greeter : IGreeter
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
