using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Runtime.CompilerServices;
using Micro.Registry;
using Microsoft.Extensions.DependencyInjection;

namespace Micro.Server;

/// <summary>
/// Turns a plain class into endpoints: every public method shaped
/// <c>Task&lt;TResponse&gt; Name(TRequest request, CancellationToken ct)</c> (or <c>ValueTask</c>, or without the token)
/// becomes endpoint <c>ClassName.Name</c>. The handler instance comes from dependency injection.
/// </summary>
public static class HandlerEndpoints
{
    [RequiresUnreferencedCode(ReflectionHandlers.Message)]
    [RequiresDynamicCode(ReflectionHandlers.Message)]
    public static IReadOnlyList<EndpointDescriptor> From(Type handlerType, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(handlerType);
        var handlerName = name ?? handlerType.Name;
        var endpoints = new List<EndpointDescriptor>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var method in handlerType.GetMethods(BindingFlags.Public | BindingFlags.Instance))
        {
            if (method.DeclaringType == typeof(object) || method.IsSpecialName)
            {
                continue;
            }

            if (StreamEndpoints.IsStream(method))
            {
                var streamName = handlerName + "." + method.Name;
                if (!seen.Add(streamName))
                {
                    throw new InvalidOperationException($"{handlerType.Name} has more than one public method named {method.Name}; endpoint names must be unique.");
                }

                var (req, res) = StreamEndpoints.MessageTypes(method);
                var streamRequired = new List<string>();
                endpoints.Add(new EndpointDescriptor(new Endpoint
                {
                    Name = streamName,
                    Request = ValueDescriber.Describe(req, req.Name, streamRequired),
                    Response = ValueDescriber.Describe(res, res.Name),
                    Metadata = ContractEndpoints.EndpointMetadata(StreamEndpoints.Streaming(method), idempotent: false, DescriptionOf(method), string.Join(',', streamRequired)),
                }, null, StreamEndpoints.Bind(handlerType, method)));
                continue;
            }

            if (!IsAsyncWithResult(method.ReturnType, out var responseType))
            {
                continue;
            }

            var parameters = method.GetParameters();
            var hasToken = parameters.Length == 2 && parameters[1].ParameterType == typeof(CancellationToken);
            if (!(parameters.Length == 1 || hasToken) || parameters[0].ParameterType == typeof(CancellationToken))
            {
                throw new InvalidOperationException(
                    $"{handlerType.Name}.{method.Name} cannot be an endpoint: endpoints take (TRequest request) or (TRequest request, CancellationToken cancellationToken). " +
                    "Make it non-public if it is not meant to be called remotely.");
            }

            var endpointName = handlerName + "." + method.Name;
            if (!seen.Add(endpointName))
            {
                throw new InvalidOperationException($"{handlerType.Name} has more than one public method named {method.Name}; endpoint names must be unique.");
            }

            var requestType = parameters[0].ParameterType;
            var factory = typeof(HandlerEndpoints).GetMethod(nameof(Bind), BindingFlags.NonPublic | BindingFlags.Static)!
                .MakeGenericMethod(handlerType, requestType, responseType);
            var bind = (Func<IServiceProvider, RequestHandler>)factory.Invoke(null, [method, hasToken])!;
            var required = new List<string>();
            var endpoint = new Endpoint
            {
                Name = endpointName,
                Request = ValueDescriber.Describe(requestType, requestType.Name, required),
                Response = ValueDescriber.Describe(responseType, responseType.Name),
                Metadata = ContractEndpoints.EndpointMetadata(null, idempotent: method.IsDefined(typeof(IdempotentAttribute), inherit: true), DescriptionOf(method), string.Join(',', required)),
            };
            endpoints.Add(new EndpointDescriptor(endpoint, bind));
        }

        if (endpoints.Count == 0)
        {
            throw new InvalidOperationException(
                $"{handlerType.Name} has no endpoints: give it public methods shaped Task<TResponse> Name(TRequest request, CancellationToken cancellationToken).");
        }

        return endpoints;
    }

    /// <summary>A plain handler method's <c>[Description]</c> (System.ComponentModel), what agents and people read of the endpoint.</summary>
    private static string? DescriptionOf(MethodInfo method) => method.GetCustomAttribute<System.ComponentModel.DescriptionAttribute>(inherit: true)?.Description;

    private static bool IsAsyncWithResult(Type returnType, out Type result)
    {
        result = typeof(void);
        if (returnType.IsGenericType && (returnType.GetGenericTypeDefinition() == typeof(Task<>) || returnType.GetGenericTypeDefinition() == typeof(ValueTask<>)))
        {
            result = returnType.GetGenericArguments()[0];
            return true;
        }

        return false;
    }

    private static Func<IServiceProvider, RequestHandler> Bind<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] THandler, TRequest, TResponse>(MethodInfo method, bool hasToken)
        where THandler : class
        => BindInvoker(MakeInvoker<THandler, TRequest, TResponse>(method, hasToken));

    /// <summary>A request handler that decodes, resolves the handler from DI (per request when scoped), invokes and encodes.</summary>
    internal static Func<IServiceProvider, RequestHandler> BindInvoker<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] THandler, TRequest, TResponse>(Func<THandler, TRequest, CancellationToken, ValueTask<TResponse>> invoke)
        where THandler : class
    {
        return services =>
        {
            var isScoped = services.GetService<IServiceProviderIsService>() is { } check && check.IsService(typeof(THandler))
                && IsPerRequest(services, typeof(THandler));
            if (!isScoped)
            {
                var singleton = services.GetService<THandler>() ?? ActivatorUtilities.CreateInstance<THandler>(services);
                return Invoke<TRequest, TResponse>((message, cancellationToken) => invoke(singleton, message, cancellationToken));
            }

            return Invoke<TRequest, TResponse>(async (message, cancellationToken) =>
            {
                var scope = services.CreateAsyncScope();
                await using (scope.ConfigureAwait(false))
                {
                    return await invoke(scope.ServiceProvider.GetRequiredService<THandler>(), message, cancellationToken).ConfigureAwait(false);
                }
            });
        };
    }

    /// <summary>A request handler that decodes the request, calls <paramref name="call"/> and encodes the reply.</summary>
    internal static RequestHandler Invoke<TRequest, TResponse>(Func<TRequest, CancellationToken, ValueTask<TResponse>> call)
        => (request, cancellationToken) => InvokeAsync(call, request, cancellationToken);

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private static async ValueTask<ServerResponse> InvokeAsync<TRequest, TResponse>(Func<TRequest, CancellationToken, ValueTask<TResponse>> call, ServerRequest request, CancellationToken cancellationToken)
    {
        var response = await call(request.Codec.Decode<TRequest>(request.Body), cancellationToken).ConfigureAwait(false);
        return new ServerResponse(request.ReplyCodec.Encode(response), request.ReplyCodec.ContentType);
    }

    private static bool IsPerRequest(IServiceProvider services, Type type)
        => services.GetService<HandlerLifetimes>()?.IsPerRequest(type) ?? false;

    private static Func<THandler, TRequest, CancellationToken, ValueTask<TResponse>> MakeInvoker<THandler, TRequest, TResponse>(MethodInfo method, bool hasToken)
    {
        var returnsTask = method.ReturnType.GetGenericTypeDefinition() == typeof(Task<>);
        if (hasToken && returnsTask)
        {
            var d = method.CreateDelegate<Func<THandler, TRequest, CancellationToken, Task<TResponse>>>();
            return (h, r, ct) => new ValueTask<TResponse>(d(h, r, ct));
        }

        if (hasToken)
        {
            return method.CreateDelegate<Func<THandler, TRequest, CancellationToken, ValueTask<TResponse>>>();
        }

        if (returnsTask)
        {
            var d = method.CreateDelegate<Func<THandler, TRequest, Task<TResponse>>>();
            return (h, r, _) => new ValueTask<TResponse>(d(h, r));
        }

        var v = method.CreateDelegate<Func<THandler, TRequest, ValueTask<TResponse>>>();
        return (h, r, _) => v(h, r);
    }
}
