using System.Diagnostics.CodeAnalysis;
using Micro.Client;
using Micro.Pipelines;
using Micro.Server;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Micro.Hosting;

/// <summary>Builds a <see cref="MicroServiceApp"/>: add handlers and middleware, then <see cref="Build"/>.</summary>
public sealed class MicroServiceBuilder
{
    private readonly HostApplicationBuilder _host;
    private readonly MicroBuilder _micro;
    private readonly string? _defaultName;
    private readonly string? _flagProblem;

    internal MicroServiceBuilder(HostApplicationBuilder host, string? defaultName, string? flagProblem = null)
    {
        _host = host;
        _defaultName = defaultName;
        _flagProblem = flagProblem;
        _micro = host.Services.AddMicro(); // the host's application name is defaultName: the server's name unless configured
        _micro.AddServer();
    }

    public IServiceCollection Services => _host.Services;

    public ConfigurationManager Configuration => _host.Configuration;

    public ILoggingBuilder Logging => _host.Logging;

    public MicroBuilder Micro => _micro;

    [RequiresUnreferencedCode(Server.ReflectionHandlers.Message)]
    [RequiresDynamicCode(Server.ReflectionHandlers.Message)]
    public MicroServiceBuilder AddHandler<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] THandler>(string? name = null, ServiceLifetime lifetime = ServiceLifetime.Singleton)
        where THandler : class
    {
        _micro.AddHandler<THandler>(name, lifetime);
        return this;
    }

    [RequiresUnreferencedCode(Server.ReflectionHandlers.Message)]
    [RequiresDynamicCode(Server.ReflectionHandlers.Message)]
    public MicroServiceBuilder AddSubscriber<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TSubscriber>()
        where TSubscriber : class
    {
        _micro.AddSubscriber<TSubscriber>();
        return this;
    }

    public MicroServiceBuilder UseServerMiddleware(ServerMiddleware middleware)
    {
        _micro.UseServerMiddleware(middleware);
        return this;
    }

    public MicroServiceBuilder UseClientMiddleware(ClientMiddleware middleware)
    {
        _micro.UseClientMiddleware(middleware);
        return this;
    }

    /// <inheritdoc cref="MicroBuilder.ConfigureClientPipeline"/>
    public MicroServiceBuilder ConfigureClientPipeline(Action<MicroPipeline<ClientMiddleware>> configure)
    {
        _micro.ConfigureClientPipeline(configure);
        return this;
    }

    /// <inheritdoc cref="MicroBuilder.ConfigureServerPipeline"/>
    public MicroServiceBuilder ConfigureServerPipeline(Action<MicroPipeline<ServerMiddleware>> configure)
    {
        _micro.ConfigureServerPipeline(configure);
        return this;
    }

    public MicroServiceApp Build() => new(_host.Build(), _defaultName, _flagProblem);
}
