using System.Text.Json.Serialization;
using Micro.Contracts;

namespace Greeter.Contracts;

public sealed record HelloRequest(string Name);

public sealed record HelloResponse(string Msg);

/// <summary>
/// The contract: the service implements it, clients call it through the generated <c>GreeterClient</c>, and the
/// generated <c>AddGreeter&lt;T&gt;()</c> serves endpoint <c>Greeter.Hello</c>, the same endpoint a plain class would expose.
/// </summary>
[MicroContract("greeter", JsonContext = typeof(GreeterJsonContext))]
public interface IGreeter
{
    /// <summary>Greets a person: answers "Hello " and their name.</summary>
    /// <param name="request">Who to greet, by <see cref="HelloRequest.Name"/>.</param>
    Task<HelloResponse> Hello(HelloRequest request, CancellationToken cancellationToken);
}

/// <summary>Source-generated JSON for the contract's messages: no reflection, so the service publishes with Native AOT.</summary>
[JsonSerializable(typeof(HelloRequest))]
[JsonSerializable(typeof(HelloResponse))]
public sealed partial class GreeterJsonContext : JsonSerializerContext;
