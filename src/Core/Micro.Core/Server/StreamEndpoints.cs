using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using Micro.Codec;
using Micro.Transport;
using Microsoft.Extensions.DependencyInjection;

namespace Micro.Server;

/// <summary>
/// Binds streaming methods: <c>IAsyncEnumerable&lt;TRes&gt; M(TReq, CancellationToken)</c> (server streaming),
/// <c>Task&lt;TRes&gt; M(IAsyncEnumerable&lt;TReq&gt;, CancellationToken)</c> (client streaming) and
/// <c>IAsyncEnumerable&lt;TRes&gt; M(IAsyncEnumerable&lt;TReq&gt;, CancellationToken)</c> (bidirectional).
/// </summary>
internal static class StreamEndpoints
{
    public static bool IsStream(MethodInfo method)
        => IsAsyncEnumerable(method.ReturnType, out _) || (method.GetParameters() is { Length: > 0 } p && IsAsyncEnumerable(p[0].ParameterType, out _));

    /// <summary>Which way a stream method streams (<see cref="EndpointStreaming"/>), from its shape.</summary>
    public static string Streaming(MethodInfo method)
    {
        var clientStreams = method.GetParameters() is { Length: > 0 } p && IsAsyncEnumerable(p[0].ParameterType, out _);
        var serverStreams = IsAsyncEnumerable(method.ReturnType, out _);
        return clientStreams ? (serverStreams ? EndpointStreaming.Bidirectional : EndpointStreaming.Client) : EndpointStreaming.Server;
    }

    [RequiresUnreferencedCode(ReflectionHandlers.Message)]
    [RequiresDynamicCode(ReflectionHandlers.Message)]
    public static Func<IServiceProvider, StreamHandler> Bind(Type handlerType, MethodInfo method)
    {
        var parameters = method.GetParameters();
        if (parameters.Length != 2 || parameters[1].ParameterType != typeof(CancellationToken))
        {
            throw new InvalidOperationException($"{handlerType.Name}.{method.Name} cannot be a stream endpoint: stream endpoints take (request or IAsyncEnumerable<TRequest>, CancellationToken).");
        }

        var clientStreams = IsAsyncEnumerable(parameters[0].ParameterType, out var requestType);
        if (!clientStreams)
        {
            requestType = parameters[0].ParameterType;
        }

        Type responseType;
        string kind;
        if (IsAsyncEnumerable(method.ReturnType, out var streamed))
        {
            responseType = streamed;
            kind = clientStreams ? nameof(BidirectionalMethod) : nameof(ServerStreamingMethod);
        }
        else if (clientStreams && method.ReturnType.IsGenericType && method.ReturnType.GetGenericTypeDefinition() == typeof(Task<>))
        {
            responseType = method.ReturnType.GetGenericArguments()[0];
            kind = nameof(ClientStreamingMethod);
        }
        else
        {
            throw new InvalidOperationException($"{handlerType.Name}.{method.Name} cannot be a stream endpoint: a client stream returns Task<TResponse> or IAsyncEnumerable<TResponse>.");
        }

        return (Func<IServiceProvider, StreamHandler>)typeof(StreamEndpoints).GetMethod(kind, BindingFlags.NonPublic | BindingFlags.Static)!
            .MakeGenericMethod(handlerType, requestType, responseType).Invoke(null, [method])!;
    }

    [RequiresUnreferencedCode(ReflectionHandlers.Message)]
    [RequiresDynamicCode(ReflectionHandlers.Message)]
    public static (Type Request, Type Response) MessageTypes(MethodInfo method)
    {
        var p = method.GetParameters()[0].ParameterType;
        var request = IsAsyncEnumerable(p, out var r) ? r : p;
        var response = IsAsyncEnumerable(method.ReturnType, out var s) ? s : method.ReturnType.GetGenericArguments()[0];
        return (request, response);
    }

    private static bool IsAsyncEnumerable(Type type, out Type element)
    {
        element = typeof(void);
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IAsyncEnumerable<>))
        {
            element = type.GetGenericArguments()[0];
            return true;
        }

        return false;
    }

    private static THandler Resolve<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] THandler>(IServiceProvider services) where THandler : class
        => services.GetService<THandler>() ?? ActivatorUtilities.CreateInstance<THandler>(services);

    private static Func<IServiceProvider, StreamHandler> ServerStreamingMethod<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] THandler, TRequest, TResponse>(MethodInfo method) where THandler : class
        => ServerStreaming(method.CreateDelegate<Func<THandler, TRequest, CancellationToken, IAsyncEnumerable<TResponse>>>());

    private static Func<IServiceProvider, StreamHandler> ClientStreamingMethod<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] THandler, TRequest, TResponse>(MethodInfo method) where THandler : class
        => ClientStreaming(method.CreateDelegate<Func<THandler, IAsyncEnumerable<TRequest>, CancellationToken, Task<TResponse>>>());

    private static Func<IServiceProvider, StreamHandler> BidirectionalMethod<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] THandler, TRequest, TResponse>(MethodInfo method) where THandler : class
        => Bidirectional(method.CreateDelegate<Func<THandler, IAsyncEnumerable<TRequest>, CancellationToken, IAsyncEnumerable<TResponse>>>());

    internal static Func<IServiceProvider, StreamHandler> ServerStreaming<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] THandler, TRequest, TResponse>(Func<THandler, TRequest, CancellationToken, IAsyncEnumerable<TResponse>> call) where THandler : class
        => services =>
        {
            var handler = Resolve<THandler>(services);
            return async (stream, ct) =>
            {
                var first = await stream.Transport.ReceiveAsync(ct).ConfigureAwait(false)
                    ?? throw MicroException.BadRequest("go.micro.server", "the stream ended before its request message");
                await foreach (var item in call(handler, stream.Codec.Decode<TRequest>(first), ct).WithCancellation(ct).ConfigureAwait(false))
                {
                    await stream.SendAsync(item, ct).ConfigureAwait(false);
                }
            };
        };

    internal static Func<IServiceProvider, StreamHandler> ClientStreaming<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] THandler, TRequest, TResponse>(Func<THandler, IAsyncEnumerable<TRequest>, CancellationToken, Task<TResponse>> call) where THandler : class
        => services =>
        {
            var handler = Resolve<THandler>(services);
            return async (stream, ct) => await stream.SendAsync(await call(handler, stream.ReadAllAsync<TRequest>(ct), ct).ConfigureAwait(false), ct).ConfigureAwait(false);
        };

    internal static Func<IServiceProvider, StreamHandler> Bidirectional<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] THandler, TRequest, TResponse>(Func<THandler, IAsyncEnumerable<TRequest>, CancellationToken, IAsyncEnumerable<TResponse>> call) where THandler : class
        => services =>
        {
            var handler = Resolve<THandler>(services);
            return async (stream, ct) =>
            {
                await foreach (var item in call(handler, stream.ReadAllAsync<TRequest>(ct), ct).WithCancellation(ct).ConfigureAwait(false))
                {
                    await stream.SendAsync(item, ct).ConfigureAwait(false);
                }
            };
        };
}
