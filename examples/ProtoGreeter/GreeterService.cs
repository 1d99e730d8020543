using Greeter;

namespace ProtoGreeter;

/// <summary>Implements the interface Micro's generator made from greeter.proto (<c>Greeter.IGreeter</c>).</summary>
public sealed class GreeterService : IGreeter
{
    public Task<HelloResponse> Hello(HelloRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Task.FromResult(new HelloResponse { Msg = "Hello " + request.Name });
    }
}
