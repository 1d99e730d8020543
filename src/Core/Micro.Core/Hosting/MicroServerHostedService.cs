using Micro.Server;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Micro.Hosting;

/// <summary>
/// Runs the server with the host: starts it with the host and stops it gracefully on Ctrl-C / SIGTERM. A
/// configuration the server cannot run with (a bad value, an unknown or missing plugin) is one log line and exit code 2,
/// the host stopped, rather than a host failure with stack traces: the server is built here, not when the host is.
/// </summary>
internal sealed class MicroServerHostedService(IServiceProvider services, IHostApplicationLifetime lifetime, ILogger<MicroServerHostedService> logger) : IHostedService
{
    private MicroServer? _server;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            _server = services.GetRequiredService<MicroServer>();
        }
        catch (Exception e) when (e is FormatException or MicroConfigurationException)
        {
            logger.LogCritical("Micro cannot start: {Problem}", e.Message);
            Environment.ExitCode = MicroServiceApp.ConfigurationErrorExitCode;
            lifetime.StopApplication();
            return Task.CompletedTask;
        }

        return _server.StartAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => _server?.StopAsync(cancellationToken) ?? Task.CompletedTask;
}
