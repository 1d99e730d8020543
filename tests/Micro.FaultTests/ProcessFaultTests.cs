using System.Diagnostics;
using System.Text.RegularExpressions;
using Micro.Client;
using Micro.Registry;
using Micro.Selector;
using Micro.Transport.Tcp;
using Xunit.Abstractions;

namespace Micro.FaultTests;

/// <summary>Three Greeter processes on loopback (local registry, TTL 3 s re-registered every second) under call load.</summary>
public sealed partial class ProcessFaultTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(3);
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "micro-faults", Guid.NewGuid().ToString("N"));
    private readonly List<RunningProcess> _processes = [];
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private LocalRegistry _registry = null!;
    private RegistrySelector _selector = null!;
    private RecordingTransport _transport = null!;
    private MicroClient _client = null!;

    public Task InitializeAsync()
    {
        _registry = new LocalRegistry(_folder);
        _selector = new RegistrySelector(_registry);
        _transport = new RecordingTransport(new TcpTransport(), _clock);
        // The retry budget: 3 retries within 5 s, each attempt at most 1 s.
        _client = new MicroClient(_selector, _transport, options: ClientOptions.Default with { Retries = 3, AttemptTimeout = TimeSpan.FromSeconds(1) });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        foreach (var p in _processes)
        {
            await p.DisposeAsync();
        }

        await _selector.DisposeAsync();
        await _transport.DisposeAsync();
        await _registry.DisposeAsync();
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private async Task<(RunningProcess Process, string Address)> StartGreeterAsync()
    {
        var process = new RunningProcess(Programs.GreeterService, ["--register_ttl", "3s", "--register_interval", "1s"], new Dictionary<string, string>
        {
            ["MICRO_REGISTRY"] = "local",
            ["MICRO_REGISTRY_ADDRESS"] = _folder,
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
        });
        _processes.Add(process);
        await process.WaitForOutputAsync("registered in local", StartTimeout);
        return (process, ListeningOn().Match(process.Output).Groups[1].Value);
    }

    [GeneratedRegex(@"listening on (\S+)")]
    private static partial Regex ListeningOn();

    private async Task<int> NodeCountAsync() => (await _registry.GetServiceAsync("greeter")).Sum(v => v.Nodes.Count);

    [Fact]
    public async Task Kill_9_of_one_of_three_instances_under_load()
    {
        var nodes = new List<(RunningProcess Process, string Address)>();
        for (var i = 0; i < 3; i++)
        {
            nodes.Add(await StartGreeterAsync());
        }

        var load = Load.Start(_client, "greeter", workers: 4);
        await load.RunForAsync(300, TimeSpan.FromSeconds(30));
        Assert.Equal(3, load.AnsweredBy.Distinct().Count());

        var victim = nodes[0];
        var killedAt = _clock.Elapsed;
        await victim.Process.KillAsync();
        await load.RunForAsync(1000, TimeSpan.FromSeconds(30));

        // Out of the registry: the node can no longer re-register, so its entry expires with the TTL.
        var removedAfter = TimeSpan.Zero;
        while (await NodeCountAsync() == 3 && _clock.Elapsed - killedAt < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(50);
        }

        removedAfter = _clock.Elapsed - killedAt;
        await load.StopAsync();

        var toVictim = _transport.Attempts.Where(a => a.Address == victim.Address && a.At >= killedAt).ToArray();
        var lastChosen = toVictim.Length == 0 ? TimeSpan.Zero : toVictim.Max(a => a.At) - killedAt;
        var calls = load.Succeeded + load.Failures.Count;
        var retried = _transport.Attempts.Count - calls;
        Figures.Print(output, "kill-9", ("calls", calls), ("failed", load.Failures.Count), ("retried", retried),
            ("attempts_to_dead_node", toVictim.Length), ("dead_node_last_chosen_ms", (int)lastChosen.TotalMilliseconds),
            ("left_registry_after_ms", (int)removedAfter.TotalMilliseconds), ("ttl_ms", (int)Ttl.TotalMilliseconds));

        Assert.Empty(load.Failures);
        Assert.True(lastChosen <= TimeSpan.FromSeconds(1), $"the dead node was still chosen {lastChosen.TotalMilliseconds:0} ms after the kill");
        Assert.Equal(2, await NodeCountAsync());
        // Expiry is TTL after the last registration (up to one interval before the kill); the local registry notices within its poll.
        Assert.True(removedAfter <= Ttl + TimeSpan.FromSeconds(1), $"the dead node stayed registered {removedAfter.TotalSeconds:0.0} s (TTL {Ttl.TotalSeconds} s)");
    }

    [Fact]
    public async Task Rolling_restart_with_sigterm_under_load()
    {
        var nodes = new List<(RunningProcess Process, string Address)>();
        for (var i = 0; i < 3; i++)
        {
            nodes.Add(await StartGreeterAsync());
        }

        var load = Load.Start(_client, "greeter", workers: 4);
        await load.RunForAsync(300, TimeSpan.FromSeconds(30));
        var exitCodes = new List<int>();
        foreach (var old in nodes)
        {
            await StartGreeterAsync(); // the replacement is up before the old one goes
            await load.RunForAsync(100, TimeSpan.FromSeconds(30));
            exitCodes.Add(await old.Process.TerminateAsync(TimeSpan.FromSeconds(30)));
            await load.RunForAsync(100, TimeSpan.FromSeconds(30));
        }

        await load.RunForAsync(300, TimeSpan.FromSeconds(30));
        await load.StopAsync();
        var calls = load.Succeeded + load.Failures.Count;
        Figures.Print(output, "rolling-restart", ("calls", calls), ("failed", load.Failures.Count), ("retried", _transport.Attempts.Count - calls),
            ("instances_restarted", 3), ("distinct_nodes_answering", load.AnsweredBy.Distinct().Count()));

        Assert.Empty(load.Failures);
        Assert.All(exitCodes, c => Assert.Equal(0, c));
        Assert.Equal(6, load.AnsweredBy.Distinct().Count());
        Assert.Equal(3, await NodeCountAsync()); // the old nodes deregistered on SIGTERM
    }
}
