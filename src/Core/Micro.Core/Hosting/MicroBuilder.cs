using System.Diagnostics.CodeAnalysis;
using Micro.Client;
using Micro.Codec;
using Micro.Pipelines;
using Micro.Server;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Micro.Hosting;

/// <summary>Configures Micro in a service collection: handlers, middleware, plugins.</summary>
public sealed class MicroBuilder
{
    internal MicroBuilder(IServiceCollection services)
    {
        Services = services;
        // AddMicro may be called more than once (a host builder and the app's own code): one set of lifetimes for all.
        Lifetimes = services.FirstOrDefault(d => d.ServiceType == typeof(HandlerLifetimes) && !d.IsKeyedService)?.ImplementationInstance as HandlerLifetimes ?? new();
    }

    public IServiceCollection Services { get; }

    /// <summary>True once a handler was added: the host then runs a server.</summary>
    public bool HasServer => Services.Any(d => d.ServiceType == typeof(ServerMarker));

    /// <summary>
    /// Serves the public async methods of <typeparamref name="THandler"/> as endpoints <c>Name.Method</c>
    /// (<paramref name="name"/> defaults to the class name). Singleton by default; scoped or transient handlers are
    /// resolved per request in a fresh DI scope.
    /// </summary>
    [RequiresUnreferencedCode(ReflectionHandlers.Message)]
    [RequiresDynamicCode(ReflectionHandlers.Message)]
    public MicroBuilder AddHandler<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] THandler>(string? name = null, ServiceLifetime lifetime = ServiceLifetime.Singleton)
        where THandler : class
    {
        Services.TryAdd(new ServiceDescriptor(typeof(THandler), typeof(THandler), lifetime));
        foreach (var endpoint in HandlerEndpoints.From(typeof(THandler), name))
        {
            Services.AddSingleton(endpoint);
        }

        Lifetimes.Add(typeof(THandler), lifetime);
        return AddServer();
    }

    /// <summary>
    /// Subscribes the <see cref="SubscribeAttribute"/> methods of <typeparamref name="TSubscriber"/> to their topics
    /// (the instance comes from DI, singleton by default).
    /// </summary>
    [RequiresUnreferencedCode(ReflectionHandlers.Message)]
    [RequiresDynamicCode(ReflectionHandlers.Message)]
    public MicroBuilder AddSubscriber<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TSubscriber>()
        where TSubscriber : class
    {
        Services.TryAddSingleton<TSubscriber>();
        foreach (var subscriber in SubscriberEndpoints.From(typeof(TSubscriber)))
        {
            Services.AddSingleton(subscriber);
        }

        return AddServer();
    }

    public MicroBuilder UseSubscriberMiddleware(SubscriberMiddleware middleware)
    {
        Services.AddSingleton(middleware);
        return this;
    }

    /// <summary>Serves endpoints built elsewhere (generated contract bindings) with <typeparamref name="THandler"/> from DI.</summary>
    public MicroBuilder AddEndpoints<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] THandler>(IEnumerable<EndpointDescriptor> endpoints, ServiceLifetime lifetime = ServiceLifetime.Singleton)
        where THandler : class
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        Services.TryAdd(new ServiceDescriptor(typeof(THandler), typeof(THandler), lifetime));
        foreach (var endpoint in endpoints)
        {
            Services.AddSingleton(endpoint);
        }

        Lifetimes.Add(typeof(THandler), lifetime);
        return AddServer();
    }

    /// <summary>
    /// Runs a server even without handlers of its own (it still answers Debug.*). Adding a handler, endpoints or a
    /// subscriber does this too, whenever it is called: before or after <c>AddMicro</c>'s configure callback.
    /// </summary>
    public MicroBuilder AddServer()
    {
        Services.TryAddSingleton<ServerMarker>();
        Services.TryAddEnumerable(ServiceDescriptor.Singleton<Microsoft.Extensions.Hosting.IHostedService, MicroServerHostedService>());
        return this;
    }

    /// <summary>
    /// Changes an options record after configuration has been read (<c>Configure&lt;ClientOptions&gt;(o =&gt; o with { Retries = 3 })</c>):
    /// <see cref="ServerOptions"/>, <see cref="ClientOptions"/>, <see cref="Micro.Selector.SelectorOptions"/>,
    /// <see cref="Micro.Transport.TransportOptions"/>, or a plugin's own. Changes apply in the order they were added.
    /// </summary>
    public MicroBuilder Configure<T>(Func<T, T> configure)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(configure);
        Services.AddSingleton(new MicroConfigure<T>(configure));
        return this;
    }

    /// <summary>Adds a codec the client and server speak (beside JSON, protobuf and bytes; it wins its content type).</summary>
    public MicroBuilder AddCodec(ICodec codec)
    {
        ArgumentNullException.ThrowIfNull(codec);
        Services.AddSingleton(codec);
        return this;
    }

    /// <summary>
    /// Adds a source-generated JSON context (<c>MyJson.Default</c>) to this app's JSON codec, ahead of reflection: what
    /// makes those types work under trimming and Native AOT, and faster everywhere. A contract's generated
    /// <c>Add{Contract}</c> adds the context its <c>[MicroContract(JsonContext = ...)]</c> names.
    /// </summary>
    public MicroBuilder AddJsonTypes(System.Text.Json.Serialization.Metadata.IJsonTypeInfoResolver context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!Services.Any(d => d.ServiceType == typeof(JsonTypes) && d.ImplementationInstance is JsonTypes added && ReferenceEquals(added.Context, context)))
        {
            Services.AddSingleton(new JsonTypes(context));
        }

        return this;
    }

    /// <summary>A context added with <see cref="AddJsonTypes"/>.</summary>
    internal sealed record JsonTypes(System.Text.Json.Serialization.Metadata.IJsonTypeInfoResolver Context);

    /// <summary>Adds server middleware just around the endpoint (inside the built-in stages); later uses run inside earlier ones.</summary>
    public MicroBuilder UseServerMiddleware(ServerMiddleware middleware)
    {
        ArgumentNullException.ThrowIfNull(middleware);
        return ConfigureServerPipeline(p => p.Use(middleware));
    }

    /// <summary>Adds client middleware just inside telemetry (around deadline, retries and attempts); later uses run inside earlier ones.</summary>
    public MicroBuilder UseClientMiddleware(ClientMiddleware middleware)
    {
        ArgumentNullException.ThrowIfNull(middleware);
        return ConfigureClientPipeline(p => p.Use(middleware));
    }

    /// <summary>Inserts, replaces or removes stages of the client pipeline (<see cref="ClientStages"/>); changes apply in the order they were added.</summary>
    public MicroBuilder ConfigureClientPipeline(Action<MicroPipeline<ClientMiddleware>> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        Services.AddSingleton(new PipelineChange<ClientMiddleware>(configure));
        return this;
    }

    /// <summary>Inserts, replaces or removes stages of the server pipeline (<see cref="ServerStages"/>); changes apply in the order they were added.</summary>
    public MicroBuilder ConfigureServerPipeline(Action<MicroPipeline<ServerMiddleware>> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        Services.AddSingleton(new PipelineChange<ServerMiddleware>(configure));
        return this;
    }

    /// <summary>Adds or replaces registries and transports selectable by name.</summary>
    public MicroBuilder ConfigurePlugins(Action<MicroPlugins> configure)
    {
        Services.AddSingleton(configure);
        return this;
    }

    /// <summary>
    /// Makes a plugin's registries, transports and brokers selectable by name, named in code rather than found by assembly
    /// name: what trimmed and Native AOT apps do (e.g. <c>AddPlugin(new NatsPlugin())</c>), since they load no assemblies.
    /// </summary>
    public MicroBuilder AddPlugin(IMicroPlugin plugin)
    {
        ArgumentNullException.ThrowIfNull(plugin);
        return ConfigurePlugins(plugin.Register);
    }

    /// <summary>Names a plugin in code and changes its options record (what each plugin's <c>micro.AddNats(o =&gt; ...)</c> does).</summary>
    public MicroBuilder AddPlugin<TOptions>(IMicroPlugin plugin, Func<TOptions, TOptions>? configure)
        where TOptions : class
        => configure is null ? AddPlugin(plugin) : Configure(configure).AddPlugin(plugin);

    internal HandlerLifetimes Lifetimes { get; }

    /// <summary>Registered once a server is to run: what the client reads to say which service it calls from.</summary>
    internal sealed class ServerMarker;
}
