using System.Diagnostics.CodeAnalysis;
using Micro.Registry;

namespace Micro.Server;

/// <summary>
/// What generated server bindings build endpoints with: plain delegates to the implementation, no reflection on the
/// call path. Registry descriptions are the same as for plain-class handlers, so callers cannot tell them apart.
/// </summary>
public static class ContractEndpoints
{
    public static EndpointDescriptor Unary<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] THandler, TRequest, TResponse>(string name, Func<THandler, TRequest, CancellationToken, Task<TResponse>> call, Value request, Value response, bool idempotent = false)
        where THandler : class
        => new(Describe(name, request, response, stream: false, idempotent), HandlerEndpoints.BindInvoker<THandler, TRequest, TResponse>((h, r, ct) => new ValueTask<TResponse>(call(h, r, ct))));

    public static EndpointDescriptor Unary<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] THandler, TRequest, TResponse>(string name, Func<THandler, TRequest, CancellationToken, ValueTask<TResponse>> call, Value request, Value response, bool idempotent = false)
        where THandler : class
        => new(Describe(name, request, response, stream: false, idempotent), HandlerEndpoints.BindInvoker(call));

    public static EndpointDescriptor ServerStream<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] THandler, TRequest, TResponse>(string name, Func<THandler, TRequest, CancellationToken, IAsyncEnumerable<TResponse>> call, Value request, Value response)
        where THandler : class
        => new(Describe(name, request, response, stream: true), null, StreamEndpoints.ServerStreaming(call));

    public static EndpointDescriptor ClientStream<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] THandler, TRequest, TResponse>(string name, Func<THandler, IAsyncEnumerable<TRequest>, CancellationToken, Task<TResponse>> call, Value request, Value response)
        where THandler : class
        => new(Describe(name, request, response, stream: true), null, StreamEndpoints.ClientStreaming(call));

    public static EndpointDescriptor Bidirectional<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] THandler, TRequest, TResponse>(string name, Func<THandler, IAsyncEnumerable<TRequest>, CancellationToken, IAsyncEnumerable<TResponse>> call, Value request, Value response)
        where THandler : class
        => new(Describe(name, request, response, stream: true), null, StreamEndpoints.Bidirectional(call));

    // Descriptions come from the generator (written at compile time), not from reflection: bindings stay trim/AOT safe.
    internal static Endpoint Describe(string name, Value request, Value response, bool stream, bool idempotent = false) => new()
    {
        Name = name,
        Request = request,
        Response = response,
        Metadata = EndpointMetadata(stream, idempotent),
    };

    /// <summary>An endpoint's registry metadata: <c>stream</c>, and <c>idempotent: true</c> for endpoints marked <see cref="IdempotentAttribute"/>.</summary>
    internal static Dictionary<string, string> EndpointMetadata(bool stream, bool idempotent)
    {
        var metadata = new Dictionary<string, string> { ["stream"] = stream ? "true" : "false" };
        if (idempotent)
        {
            metadata[IdempotentKey] = "true";
        }

        return metadata;
    }

    /// <summary>The endpoint metadata key that says an endpoint may be hedged.</summary>
    public const string IdempotentKey = "idempotent";
}
