using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Micro.Client;
using Micro.Registry;
using Micro.Selector;
using Micro.Transport.Tcp;
using Xunit.Abstractions;

namespace Micro.FaultTests;

/// <summary>Issue 18's promises under load: retry budget, and the figures each prints.</summary>
public sealed class ResilienceFaultTests(ITestOutputHelper output)
{
    [Fact]
    public async Task With_every_node_of_a_service_down_the_retry_budget_keeps_attempts_per_call_at_most_1_2()
    {
        var registry = new MemoryRegistry();
        var dead = Enumerable.Range(0, 3).Select(_ => $"127.0.0.1:{ClosedPort()}").ToArray();
        await registry.RegisterAsync(new Service { Name = "down", Nodes = dead.Select((a, i) => new Node { Id = $"down-{i}", Address = a }).ToList() }, TimeSpan.FromMinutes(5));

        var (calls, attempts, refused) = await LoadAsync(registry, ClientOptions.Default with { Retries = 3 }, 6_000, TimeSpan.FromSeconds(8));
        var (callsUnbudgeted, attemptsUnbudgeted, _) = await LoadAsync(registry, ClientOptions.Default with { Retries = 3, RetryBudget = null }, 16, TimeSpan.FromSeconds(4));

        var perCall = (double)attempts / calls;
        Figures.Print(output, "retry-budget", ("calls", calls), ("attempts", attempts), ("attempts_per_call", perCall.ToString("0.000")),
            ("refused_by_transport", refused), ("budget", "0.2 of calls or 10/s over 10s"),
            ("without_budget_calls", callsUnbudgeted), ("without_budget_attempts_per_call", ((double)attemptsUnbudgeted / callsUnbudgeted).ToString("0.000")));

        Assert.True(calls >= 1_000, $"only {calls} calls ended, too few for the ratio to decide (the floor allows 100 retries per 10 s, so the ratio decides only past 500 calls)");
        Assert.Equal(attempts, refused); // every attempt really went to a dead node
        Assert.True(perCall <= 1.2, $"attempts per call {perCall:0.000} > 1.2");
        Assert.True((double)attemptsUnbudgeted / callsUnbudgeted > 3.5, "without the budget every call should make its 4 attempts; the comparison measured nothing");
    }

    /// <summary>Eight workers call the service until <paramref name="ended"/> calls have ended; counts calls and attempts.</summary>
    private static async Task<(int Calls, int Attempts, int Failed)> LoadAsync(IRegistry registry, ClientOptions options, int ended, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        await using var selector = new RegistrySelector(registry);
        await using var transport = new RecordingTransport(new TcpTransport(), clock);
        var client = new MicroClient(selector, transport, options: options);
        var load = Load.Start(client, "down", workers: 8);
        await load.RunForEndedAsync(ended, limit);
        await load.StopAsync();
        Assert.Equal(0, load.Succeeded);
        return (load.Ended, transport.Attempts.Count, transport.Attempts.Count(a => a.Failed));
    }

    /// <summary>A loopback port nothing listens on: bound, then released.</summary>
    private static int ClosedPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
