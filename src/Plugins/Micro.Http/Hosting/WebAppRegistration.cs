using System.Net;
using Micro.Registry;
using Micro.Transport.Tcp;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Micro.Hosting;

/// <summary>
/// Registers an ASP.NET Core app as a web app (<c>go.micro.web.&lt;name&gt;</c>, what <c>micro web</c> shows at
/// <c>/&lt;name&gt;</c>) once Kestrel is listening, re-registers before the TTL runs out, and deregisters on stop.
/// go-micro's <c>web.NewService</c>; added with <c>services.AddMicroWebApp("hello")</c>.
/// </summary>
internal sealed class WebAppRegistration(string name, IServer server, IRegistry registry, MicroSettings settings, IHostApplicationLifetime lifetime,
    TimeProvider time, ILogger<WebAppRegistration> logger) : BackgroundService
{
    private Service? _service;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Kestrel's addresses are known once the app has started.
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        {
            await started.Task.WaitAsync(stoppingToken).ConfigureAwait(false);
        }

        var address = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
                      ?? throw new InvalidOperationException($"web app {name}: the server reports no address to register");
        var uri = new Uri(address.Replace("://+", "://127.0.0.1", StringComparison.Ordinal).Replace("://*", "://127.0.0.1", StringComparison.Ordinal));
        var host = IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) ? TcpAddress.Format(new IPEndPoint(ip, uri.Port)) : $"{uri.Host}:{uri.Port}";
        _service = new Service
        {
            Name = name,
            Nodes = [new Node { Id = $"{name}-{Guid.NewGuid()}", Address = host, Metadata = new Dictionary<string, string> { ["web"] = "true", ["registry"] = registry.Name } }],
        };
        using var timer = new PeriodicTimer(settings.RegisterInterval, time);
        do
        {
            try
            {
                await registry.RegisterAsync(_service, settings.RegisterTtl, stoppingToken).ConfigureAwait(false);
                logger.LogDebug("Web app {Name} at {Address} registered in {Registry}", name, host, registry.Name);
            }
            catch (MicroException e)
            {
                logger.LogWarning("Web app {Name}: registering failed, retrying in {Interval}: {Error}", name, settings.RegisterInterval, e.Detail);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        if (_service is not null)
        {
            try
            {
                await registry.DeregisterAsync(_service, cancellationToken).ConfigureAwait(false);
            }
            catch (MicroException e)
            {
                logger.LogWarning("Web app {Name}: deregistering failed (its registration expires with its TTL): {Error}", name, e.Detail);
            }
        }
    }
}
