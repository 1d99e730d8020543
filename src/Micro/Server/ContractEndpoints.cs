using Micro.Registry;

namespace Micro.Server;

/// <summary>
/// What generated server bindings build endpoints with: plain delegates to the implementation, no reflection on the
/// call path. Registry descriptions are the same as for plain-class handlers, so callers cannot tell them apart.
/// </summary>
public static class ContractEndpoints
{
    public static EndpointDescriptor Unary<THandler, TRequest, TResponse>(string name, Func<THandler, TRequest, CancellationToken, Task<TResponse>> call)
        where THandler : class
        => new(Describe<TRequest, TResponse>(name, stream: false), HandlerEndpoints.BindInvoker<THandler, TRequest, TResponse>((h, r, ct) => new ValueTask<TResponse>(call(h, r, ct))));

    public static EndpointDescriptor Unary<THandler, TRequest, TResponse>(string name, Func<THandler, TRequest, CancellationToken, ValueTask<TResponse>> call)
        where THandler : class
        => new(Describe<TRequest, TResponse>(name, stream: false), HandlerEndpoints.BindInvoker(call));

    public static EndpointDescriptor ServerStream<THandler, TRequest, TResponse>(string name, Func<THandler, TRequest, CancellationToken, IAsyncEnumerable<TResponse>> call)
        where THandler : class
        => new(Describe<TRequest, TResponse>(name, stream: true), null, StreamEndpoints.ServerStreaming(call));

    public static EndpointDescriptor ClientStream<THandler, TRequest, TResponse>(string name, Func<THandler, IAsyncEnumerable<TRequest>, CancellationToken, Task<TResponse>> call)
        where THandler : class
        => new(Describe<TRequest, TResponse>(name, stream: true), null, StreamEndpoints.ClientStreaming(call));

    public static EndpointDescriptor Bidirectional<THandler, TRequest, TResponse>(string name, Func<THandler, IAsyncEnumerable<TRequest>, CancellationToken, IAsyncEnumerable<TResponse>> call)
        where THandler : class
        => new(Describe<TRequest, TResponse>(name, stream: true), null, StreamEndpoints.Bidirectional(call));

    private static Endpoint Describe<TRequest, TResponse>(string name, bool stream) => new()
    {
        Name = name,
        Request = ValueDescriber.Describe(typeof(TRequest), typeof(TRequest).Name),
        Response = ValueDescriber.Describe(typeof(TResponse), typeof(TResponse).Name),
        Metadata = new Dictionary<string, string> { ["stream"] = stream ? "true" : "false" },
    };
}
