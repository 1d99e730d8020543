using Micro.Client;
using Micro.Contracts;
using Micro.Registry;
using Micro.Selector;
using Micro.Server;
using Microsoft.Extensions.Configuration;

namespace Micro.Tests;

[MicroContract("catalog")]
public interface ICatalog
{
    [Idempotent]
    Task<HelloResponse> Get(HelloRequest request, CancellationToken cancellationToken);

    Task<HelloResponse> Put(HelloRequest request, CancellationToken cancellationToken);
}

/// <summary>Hedging: idempotent endpoints get a second attempt to another node after a delay; the first success wins, the other is cancelled on its server.</summary>
public sealed class HedgingTests
{
    /// <summary>Answers at once, or (the slow one) only when cancelled, counting the cancellations its handler saw.</summary>
    public sealed class Lookup(bool slow)
    {
        public int Calls;
        public int Cancelled;

        [Idempotent]
        public async Task<HelloResponse> Get(HelloRequest request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Calls);
            if (slow)
            {
                try
                {
                    await Task.Delay(Timeout.Infinite, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    Interlocked.Increment(ref Cancelled);
                    throw;
                }
            }

            return new HelloResponse(CallContext.Current!.NodeId);
        }

        public async Task<HelloResponse> Put(HelloRequest request, CancellationToken cancellationToken) => await Get(request, cancellationToken);
    }

    /// <summary>Picks the slow node whenever it is offered, so every first attempt goes there.</summary>
    private sealed class SlowFirst : ISelectionStrategy
    {
        public string Name => "slow-first";

        public SelectableNode Pick(string service, IReadOnlyList<SelectableNode> nodes, in SelectRequest request)
            => nodes.FirstOrDefault(n => n.Id == "slow") ?? nodes[0];
    }

    private static async Task<(TestKit Kit, Lookup Slow, Lookup Fast)> TwoNodesAsync()
    {
        var kit = new TestKit();
        var slow = new Lookup(slow: true);
        var fast = new Lookup(slow: false);
        await kit.StartServerAsync("lookup", slow, ServerOptions.Default with { Id = "slow" });
        await kit.StartServerAsync("lookup", fast, ServerOptions.Default with { Id = "fast" });
        return (kit, slow, fast);
    }

    [Fact]
    public void Idempotent_methods_of_contracts_and_handlers_say_so_in_their_registry_metadata()
    {
        var contract = CatalogBinding.Endpoints<CatalogService>().ToDictionary(e => e.Name, e => e.Endpoint.Metadata);
        Assert.Equal("true", contract["Catalog.Get"]?["idempotent"]);
        Assert.False(contract["Catalog.Put"]!.ContainsKey("idempotent"));

        var handler = HandlerEndpoints.From(typeof(Lookup)).ToDictionary(e => e.Name, e => e.Endpoint.Metadata);
        Assert.Equal("true", handler["Lookup.Get"]?["idempotent"]);
        Assert.False(handler["Lookup.Put"]!.ContainsKey("idempotent"));
    }

    [Fact]
    public async Task A_hedged_call_is_answered_by_the_other_node_and_the_slow_attempt_is_cancelled_on_its_server()
    {
        var (kit, slow, fast) = await TwoNodesAsync();
        await using var _ = kit;
        var client = kit.CreateClient(ClientOptions.Default with { Hedging = HedgingOptions.Default with { Delay = TimeSpan.FromMilliseconds(50) } }, new SlowFirst());

        // The first call learns from the node it went to that Lookup.Get is idempotent; it is not hedged itself.
        var first = await Assert.ThrowsAsync<MicroException>(async () => await client.CallAsync<HelloRequest, HelloResponse>("lookup", "Lookup.Get", new HelloRequest("a"), new CallOptions { Timeout = TimeSpan.FromMilliseconds(200), Retries = 0 }));
        Assert.Equal(408, first.Code);
        var reply = await client.CallAsync<HelloRequest, HelloResponse>("lookup", "Lookup.Get", new HelloRequest("b"));
        Assert.Equal("fast", reply.Msg);
        for (var i = 0; i < 500 && Volatile.Read(ref slow.Cancelled) < slow.Calls; i++)
        {
            await Task.Delay(10); // the cancel frame reaches the slow server
        }

        Assert.True(slow.Calls >= 1, "the slow node was never tried: nothing was hedged");
        Assert.Equal(slow.Calls, slow.Cancelled); // every losing attempt was cancelled where it ran
    }

    [Fact]
    public async Task A_call_to_an_endpoint_not_marked_idempotent_is_never_hedged_unless_the_call_says_so()
    {
        var (kit, slow, fast) = await TwoNodesAsync();
        await using var _ = kit;
        var client = kit.CreateClient(ClientOptions.Default with { Hedging = HedgingOptions.Default with { Delay = TimeSpan.FromMilliseconds(20) }, Retries = 0 }, new SlowFirst());
        var shortly = new CallOptions { Timeout = TimeSpan.FromMilliseconds(300) }; // for the calls that can only time out

        var timedOut = await Assert.ThrowsAsync<MicroException>(async () => await client.CallAsync<HelloRequest, HelloResponse>("lookup", "Lookup.Put", new HelloRequest("a"), shortly));
        Assert.Equal(408, timedOut.Code);
        Assert.Equal(0, fast.Calls); // one attempt, to the slow node, for the whole timeout

        var reply = await client.CallAsync<HelloRequest, HelloResponse>("lookup", "Lookup.Put", new HelloRequest("b"), new CallOptions { Idempotent = true });
        Assert.Equal("fast", reply.Msg);

        var never = await Assert.ThrowsAsync<MicroException>(async () => await client.CallAsync<HelloRequest, HelloResponse>("lookup", "Lookup.Get", new HelloRequest("c"), shortly with { Idempotent = false }));
        Assert.Equal(408, never.Code);
    }

    [Fact]
    public async Task Hedges_draw_on_the_retry_budget_and_none_is_made_when_it_is_spent()
    {
        var (kit, slow, fast) = await TwoNodesAsync();
        await using var _ = kit;
        var client = kit.CreateClient(ClientOptions.Default with
        {
            Hedging = HedgingOptions.Default with { Delay = TimeSpan.FromMilliseconds(20) },
            RetryBudget = new RetryBudgetOptions { Ratio = 0, MinRetriesPerSecond = 0 },
            RequestTimeout = TimeSpan.FromMilliseconds(300),
        }, new SlowFirst());

        var e = await Assert.ThrowsAsync<MicroException>(async () => await client.CallAsync<HelloRequest, HelloResponse>("lookup", "Lookup.Get", new HelloRequest("a"), new CallOptions { Idempotent = true }));
        Assert.Equal(408, e.Code);
        Assert.Equal(0, fast.Calls);
    }

    [Fact]
    public void The_hedge_delay_is_read_from_its_flag()
    {
        static ClientOptions Read(params string[] flags) => Micro.Hosting.MicroSettings.FromConfiguration(new ConfigurationBuilder().AddCommandLine(flags).Build()).ToClientOptions();
        Assert.Null(Read().Hedging!.Delay); // p95
        Assert.Equal(TimeSpan.FromMilliseconds(30), Read("--client_hedge_delay", "30ms").Hedging!.Delay);
        Assert.Null(Read("--client_hedge_delay", "off").Hedging);
        Assert.Contains("client_hedge_delay", Assert.Throws<FormatException>(() => Read("--client_hedge_delay", "soon")).Message, StringComparison.Ordinal);
    }

    public sealed class CatalogService : ICatalog
    {
        public Task<HelloResponse> Get(HelloRequest request, CancellationToken cancellationToken) => Task.FromResult(new HelloResponse("get"));

        public Task<HelloResponse> Put(HelloRequest request, CancellationToken cancellationToken) => Task.FromResult(new HelloResponse("put"));
    }
}
