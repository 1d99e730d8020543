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
    private RegistrationLease? _lease;

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
        var service = new Service
        {
            Name = name,
            Nodes = [new Node { Id = $"{name}-{Guid.NewGuid()}", Address = host, Metadata = new Dictionary<string, string> { ["web"] = "true", ["registry"] = registry.Name } }],
        };
        // A registry that is down when the app starts is tried again each interval: the app serves meanwhile.
        _lease = new RegistrationLease(registry, service, settings.RegisterTtl, settings.RegisterInterval, $"web app {name} at {host}", time, logger,
            failure => logger.LogDebug("Web app {Name} at {Address}: {Outcome} in {Registry}", name, host, failure is null ? "registered" : "not registered", registry.Name));
        _lease.Start();
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        if (_lease is not null)
        {
            await _lease.ReleaseAsync(cancellationToken).ConfigureAwait(false);
            await _lease.DisposeAsync().ConfigureAwait(false);
        }
    }
}
