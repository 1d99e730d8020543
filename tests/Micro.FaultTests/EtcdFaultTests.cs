using System.Diagnostics;
using Micro.Client;
using Micro.Etcd;
using Micro.Server;
using Micro.Transport.Tcp;
using Xunit.Abstractions;

namespace Micro.FaultTests;

/// <summary>etcd (a real etcd-server on loopback) stopped for 20 s under load, then started again.</summary>
public sealed class EtcdFaultTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Etcd_down_for_20_seconds_under_load()
    {
        var clock = Stopwatch.StartNew();
        await using var etcd = new EtcdServer();
        await etcd.StartAsync();
        await using var kit = new TestKit(new EtcdRegistry([etcd.Address]));
        var options = ServerOptions.Default with { RegisterTtl = TimeSpan.FromSeconds(5), RegisterInterval = TimeSpan.FromSeconds(1) };
        var servers = new List<MicroServer>();
        for (var i = 0; i < 3; i++)
        {
            servers.Add(await kit.StartServerAsync("etcd-pool", new Greeter(TimeSpan.Zero), options));
        }

        await using var selector = new Micro.Selector.RegistrySelector(kit.Registry);
        await using var transport = new RecordingTransport(new TcpTransport(), clock);
        var client = new MicroClient(selector, transport, options: ClientOptions.Default with { Retries = 3 });
        var load = Load.Start(client, "etcd-pool", workers: 4, pause: TimeSpan.FromMilliseconds(2));
        await load.RunForAsync(300, TimeSpan.FromSeconds(30));

        await etcd.StopAsync();
        var before = load.Succeeded;
        await Task.Delay(Outage);
        var during = load.Succeeded - before;
        var notReady = servers.Count(s => !s.Health.IsReady); // re-registration failing shows in readiness
        await etcd.StartAsync(); // same port and data
        var restartedAt = clock.Elapsed;

        await using var fresh = new EtcdRegistry([etcd.Address]);
        var restoredAfter = TimeSpan.Zero;
        while (clock.Elapsed - restartedAt < TimeSpan.FromSeconds(30))
        {
            try
            {
                // Restored = every server re-registered successfully (etcd may still hold the old leases on its own).
                if (servers.All(s => s.Health.IsReady) && (await fresh.GetServiceAsync("etcd-pool")).Sum(v => v.Nodes.Count) == 3)
                {
                    restoredAfter = clock.Elapsed - restartedAt;
                    break;
                }
            }
            catch (InvalidOperationException)
            {
                // etcd still starting
            }

            await Task.Delay(100);
        }

        await load.RunForAsync(300, TimeSpan.FromSeconds(30));
        await load.StopAsync();
        var calls = load.Succeeded + load.Failures.Count;
        Figures.Print(output, "etcd-down-20s", ("calls", calls), ("failed", load.Failures.Count), ("retried", transport.Attempts.Count - calls),
            ("calls_during_outage", during), ("nodes_reporting_not_ready_during_outage", notReady),
            ("registrations_restored_after_ms", (int)restoredAfter.TotalMilliseconds), ("ready_after", servers.Count(s => s.Health.IsReady)));

        Assert.True(load.Failures.Count == 0, string.Join("\n", load.Failures.Take(5)));
        Assert.True(during > 100, $"only {during} calls were made during the outage");
        Assert.Equal(3, notReady);
        Assert.True(restoredAfter > TimeSpan.Zero, "the nodes did not register again within 30 s of etcd's return");
        Assert.Equal(3, servers.Count(s => s.Health.IsReady));
    }
}
