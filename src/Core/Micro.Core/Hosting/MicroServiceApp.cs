using Micro.Client;
using Micro.Server;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Micro.Hosting;

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
