using Micro.Client;
using Micro.Hosting;
using Micro.Registry;
using Micro.Selector;
using Micro.Transport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Time.Testing;

namespace Micro.Tests;

/// <summary>The retry budget: retries to a service are at most a share of its calls over a window, or a floor per second.</summary>
public sealed class RetryBudgetTests
{
    private static readonly RetryBudgetOptions Budget = new() { Ratio = 0.2, MinRetriesPerSecond = 1, Window = TimeSpan.FromSeconds(10) };

    [Fact]
    public void With_few_calls_the_floor_allows_its_retries_per_second_of_the_window_and_no_more()
    {
        var budget = new RetryBudget(Budget, new FakeTimeProvider());
        Assert.Equal(10, Enumerable.Range(0, 50).Count(_ => budget.TryRetry("a")));
    }

    [Fact]
    public void With_many_calls_the_ratio_allows_one_retry_per_five_calls()
    {
        var budget = new RetryBudget(Budget, new FakeTimeProvider());
        for (var i = 0; i < 1000; i++)
        {
            budget.RecordCall("a");
        }

        Assert.Equal(200, Enumerable.Range(0, 500).Count(_ => budget.TryRetry("a")));
        Assert.Equal(10, Enumerable.Range(0, 50).Count(_ => budget.TryRetry("b"))); // another service has its own budget
    }

    [Fact]
    public void Calls_and_retries_older_than_the_window_no_longer_count()
    {
        var time = new FakeTimeProvider();
        var budget = new RetryBudget(Budget, time);
        for (var i = 0; i < 1000; i++)
        {
            budget.RecordCall("a");
        }

        Assert.Equal(200, Enumerable.Range(0, 500).Count(_ => budget.TryRetry("a")));
        time.Advance(TimeSpan.FromSeconds(5));
        Assert.False(budget.TryRetry("a")); // still within the window
        time.Advance(TimeSpan.FromSeconds(6));
        Assert.Equal(10, Enumerable.Range(0, 50).Count(_ => budget.TryRetry("a"))); // the old calls are gone, and so are the retries: the floor again
    }

    [Fact]
    public void Endless_service_names_share_one_budget_past_the_cap_instead_of_growing_memory()
    {
        var budget = new RetryBudget(Budget, new FakeTimeProvider());
        for (var i = 0; i < RetryBudget.MaxServices; i++)
        {
            budget.RecordCall($"s{i}");
        }

        // Past the cap every new name draws on the same budget: ten retries in all, not ten each.
        Assert.Equal(10, Enumerable.Range(0, 100).Count(i => budget.TryRetry($"new-{i}")));
    }

    [Fact]
    public async Task A_client_retries_a_dead_service_only_within_its_budget_and_each_refused_call_fails_with_its_real_error()
    {
        var (calls, attempts, errors) = await CallDeadServiceAsync(ClientOptions.Default with { Retries = 3, Backoff = _ => TimeSpan.Zero, RetryBudget = Budget });
        Assert.Equal(50 + 10, attempts); // 50 calls, 10 retries from the floor (50 calls x 0.2 = 10 too)
        Assert.All(errors, e => Assert.True(e.IsTransportError, e.Detail));
        Assert.Equal(calls, errors.Count);

        var (_, unlimited, _) = await CallDeadServiceAsync(ClientOptions.Default with { Retries = 3, Backoff = _ => TimeSpan.Zero, RetryBudget = null });
        Assert.Equal(50 * 4, unlimited); // without a budget every call makes all its attempts
    }

    [Fact]
    public void The_budget_is_read_from_its_flags_and_a_bad_value_names_the_flag()
    {
        var set = Settings(["--client_retry_budget", "0.5", "--client_retry_budget_min", "2", "--client_retry_budget_window", "30s"]).ToClientOptions();
        Assert.Equal(new RetryBudgetOptions { Ratio = 0.5, MinRetriesPerSecond = 2, Window = TimeSpan.FromSeconds(30) }, set.RetryBudget);
        Assert.Equal(RetryBudgetOptions.Default, Settings([]).ToClientOptions().RetryBudget);
        Assert.Null(Settings(["--client_retry_budget", "off"]).ToClientOptions().RetryBudget);

        var bad = Assert.Throws<FormatException>(() => Settings(["--client_retry_budget", "20%"]));
        Assert.Contains("client_retry_budget: '20%'", bad.Message, StringComparison.Ordinal);
        var negative = Assert.Throws<FormatException>(() => Settings(["--client_retry_budget_min", "-1"]));
        Assert.Contains("client_retry_budget_min", negative.Message, StringComparison.Ordinal);
    }

    private static MicroSettings Settings(string[] flags)
        => MicroSettings.FromConfiguration(new ConfigurationBuilder().AddCommandLine(flags).Build());

    private static async Task<(int Calls, int Attempts, List<MicroException> Errors)> CallDeadServiceAsync(ClientOptions options)
    {
        var registry = new MemoryRegistry();
        await registry.RegisterAsync(new Service { Name = "gone", Nodes = [new Node { Id = "gone-1", Address = "memory:nobody" }, new Node { Id = "gone-2", Address = "memory:nobody-2" }] }, TimeSpan.FromMinutes(1));
        var attempts = 0;
        var pipeline = ClientStages.CreatePipeline().InsertAfter(ClientStages.Retry, "count", next => (call, ct) =>
        {
            attempts++;
            return next(call, ct);
        });
        await using var transport = new MemoryTransport(new MemoryNetwork());
        await using var selector = new RegistrySelector(registry);
        var client = new MicroClient(selector, transport, options: options, pipeline: pipeline, timeProvider: new FakeTimeProvider());
        var errors = new List<MicroException>();
        for (var i = 0; i < 50; i++)
        {
            errors.Add(await Assert.ThrowsAsync<MicroException>(async () => await client.CallAsync(new MicroRequest("gone", "Greeter.Hello", Json.Bytes("{}")))));
        }

        return (50, attempts, errors);
    }
}
