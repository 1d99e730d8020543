using System.Diagnostics.CodeAnalysis;
using Micro.Client;
using Micro.Pipelines;
using Micro.Server;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Micro.Hosting;

/// <summary>
/// The shortest way to a service:
/// <code>
/// var builder = MicroService.CreateBuilder(args, "greeter");
/// builder.AddHandler&lt;Greeter&gt;();
/// await builder.Build().RunAsync();
/// </code>
/// Configuration comes from appsettings.json (section <c>Micro</c>), <c>MICRO_*</c> environment variables and flags.
/// </summary>
public static class MicroService
{
    public static MicroServiceBuilder CreateBuilder(string[] args, string? defaultName = null)
    {
        string? flagProblem = null;
        try
        {
            args = MicroFlags.Normalize(args);
        }
        catch (FormatException e)
        {
            flagProblem = e.Message; // said by RunAsync, in one line, like every other configuration error
        }

        var host = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ApplicationName = defaultName });
        // go-micro's names: MICRO_SERVER_NAME and --server_name; flags are added again last so they win over the environment.
        host.Configuration.AddEnvironmentVariables("MICRO_");
        host.Configuration.AddCommandLine(args);
        host.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss ";
        });
        return new MicroServiceBuilder(host, defaultName, flagProblem);
    }
}

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

/// <summary>A built service: run it, or start and stop it yourself (tests).</summary>
public sealed class MicroServiceApp(IHost host, string? name = null, string? flagProblem = null) : IAsyncDisposable
{
    /// <summary>The exit code of a service whose configuration is wrong (as the CLI's for bad input).</summary>
    public const int ConfigurationErrorExitCode = 2;

    public IServiceProvider Services => host.Services;

    public MicroServer Server => host.Services.GetRequiredService<MicroServer>();

    public IMicroClient Client => host.Services.GetRequiredService<IMicroClient>();

    /// <summary>
    /// Runs until Ctrl-C or SIGTERM, then stops gracefully. A configuration it cannot run with (a bad flag value, an
    /// unknown registry, transport or broker, a missing plugin or file) is said in one line on stderr, with the exit
    /// code <see cref="ConfigurationErrorExitCode"/>, and nothing is started: not a host failure with stack traces.
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken = default)
    {
        if (ConfigurationProblem() is { } problem)
        {
            await Console.Error.WriteLineAsync($"{name ?? "micro"}: {problem}").ConfigureAwait(false);
            Environment.ExitCode = ConfigurationErrorExitCode;
            return;
        }

        await host.RunAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>What is wrong with the configuration, found by building what it names (as starting would), or null.</summary>
    private string? ConfigurationProblem()
    {
        if (flagProblem is not null)
        {
            return flagProblem;
        }

        try
        {
            _ = host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<ServerOptions>>();
            _ = host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<ClientOptions>>();
            _ = host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Selector.SelectorOptions>>();
            _ = host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Transport.TransportOptions>>();
            _ = host.Services.GetRequiredService<Registry.IRegistry>();
            _ = host.Services.GetRequiredService<Transport.ITransport>();
            if (host.Services.GetRequiredService<Broker.IBroker>() is Broker.UnavailableBroker missing && host.Services.GetServices<SubscriberDescriptor>().Any())
            {
                return missing.Problem; // subscribers need the broker at start
            }

            return null;
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            return e.Message;
        }
    }

    public Task StartAsync(CancellationToken cancellationToken = default) => host.StartAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken = default) => host.StopAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (host is IAsyncDisposable d)
        {
            await d.DisposeAsync().ConfigureAwait(false);
        }
        else
        {
            host.Dispose();
        }
    }
}
