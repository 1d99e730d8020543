using System.Diagnostics.CodeAnalysis;
using Micro.Registry;

namespace Micro.Server;

/// <summary>
/// What generated server bindings build endpoints with: plain delegates to the implementation, no reflection on the
/// call path. Registry descriptions are the same as for plain-class handlers, so callers cannot tell them apart.
/// </summary>
public static class ContractEndpoints
{
    public static EndpointDescriptor Unary<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] THandler, TRequest, TResponse>(string name, Func<THandler, TRequest, CancellationToken, Task<TResponse>> call, Value request, Value response, bool idempotent = false, string? description = null, string? required = null)
        where THandler : class
        => new(Describe(name, request, response, null, idempotent, description, required), HandlerEndpoints.BindInvoker<THandler, TRequest, TResponse>((h, r, ct) => new ValueTask<TResponse>(call(h, r, ct))));

    public static EndpointDescriptor Unary<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] THandler, TRequest, TResponse>(string name, Func<THandler, TRequest, CancellationToken, ValueTask<TResponse>> call, Value request, Value response, bool idempotent = false, string? description = null, string? required = null)
        where THandler : class
        => new(Describe(name, request, response, null, idempotent, description, required), HandlerEndpoints.BindInvoker(call));

    public static EndpointDescriptor ServerStream<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] THandler, TRequest, TResponse>(string name, Func<THandler, TRequest, CancellationToken, IAsyncEnumerable<TResponse>> call, Value request, Value response, string? description = null, string? required = null)
        where THandler : class
        => new(Describe(name, request, response, EndpointStreaming.Server, description: description, required: required), null, StreamEndpoints.ServerStreaming(call));

    public static EndpointDescriptor ClientStream<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] THandler, TRequest, TResponse>(string name, Func<THandler, IAsyncEnumerable<TRequest>, CancellationToken, Task<TResponse>> call, Value request, Value response, string? description = null, string? required = null)
        where THandler : class
        => new(Describe(name, request, response, EndpointStreaming.Client, description: description, required: required), null, StreamEndpoints.ClientStreaming(call));

    public static EndpointDescriptor Bidirectional<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] THandler, TRequest, TResponse>(string name, Func<THandler, IAsyncEnumerable<TRequest>, CancellationToken, IAsyncEnumerable<TResponse>> call, Value request, Value response, string? description = null, string? required = null)
        where THandler : class
        => new(Describe(name, request, response, EndpointStreaming.Bidirectional, description: description, required: required), null, StreamEndpoints.Bidirectional(call));

    // Descriptions come from the generator (written at compile time), not from reflection: bindings stay trim/AOT safe.
    internal static Endpoint Describe(string name, Value request, Value response, string? streaming, bool idempotent = false, string? description = null, string? required = null) => new()
    {
        Name = name,
        Request = request,
        Response = response,
        Metadata = EndpointMetadata(streaming, idempotent, description, required),
    };

    /// <summary>
    /// An endpoint's registry metadata: go-micro's <c>stream</c>, which way a stream streams
    /// (<see cref="EndpointStreaming.Key"/>), <c>idempotent: true</c> for endpoints marked <see cref="IdempotentAttribute"/>,
    /// a <c>description</c> when there is one, and the request's <see cref="RequiredFields"/> when it has some.
    /// </summary>
    internal static Dictionary<string, string> EndpointMetadata(string? streaming, bool idempotent, string? description = null, string? required = null)
    {
        var metadata = new Dictionary<string, string> { ["stream"] = streaming is null ? "false" : "true" };
        if (streaming is not null)
        {
            metadata[EndpointStreaming.Key] = streaming;
        }

        if (idempotent)
        {
            metadata[IdempotentKey] = "true";
        }

        if (!string.IsNullOrWhiteSpace(description))
        {
            metadata[EndpointStreaming.DescriptionKey] = description.Trim();
        }

        if (!string.IsNullOrEmpty(required))
        {
            metadata[RequiredFields.Key] = required;
        }

        return metadata;
    }

    /// <summary>The endpoint metadata key that says an endpoint may be hedged.</summary>
    public const string IdempotentKey = "idempotent";
}
