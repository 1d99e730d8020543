using Micro.Server;
using Microsoft.Extensions.Hosting;

namespace Micro.Hosting;

/// <summary>Runs the server with the host: starts it with the host and stops it gracefully on Ctrl-C / SIGTERM.</summary>
internal sealed class MicroServerHostedService(MicroServer server) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => server.StartAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => server.StopAsync(cancellationToken);
}
