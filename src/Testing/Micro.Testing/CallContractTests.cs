using Micro.Client;
using Micro.Registry;
using Micro.Selector;
using Micro.Server;
using Micro.Transport;

namespace Micro.Testing;

/// <summary>What every transport must do for calls: each transport's test class runs these against a real server.</summary>
public abstract class CallContractTests
{
    protected abstract ITransport CreateTransport();

    /// <summary>An address where no node listens (a killed node's registration).</summary>
    protected virtual string DeadAddress => "127.0.0.1:1";

    private TestKit Kit() => new(transport: CreateTransport());

    [Fact]
    public async Task Typed_and_untyped_calls_reach_a_plain_class_handler()
    {
        await using var kit = Kit();
        await kit.StartServerAsync("greeter", new Greeter());
        var client = kit.CreateClient();
        Assert.Equal("Hello John", (await client.CallAsync<HelloRequest, HelloResponse>("greeter", "Greeter.Hello", new HelloRequest("John"))).Msg);
        var raw = await client.CallAsync(new MicroRequest("greeter", "Greeter.Hello", Json.Bytes("""{"name":"John"}""")));
        Assert.Equal("""{"msg":"Hello John"}""", Json.Text(raw.Body));
        Assert.Equal("application/json", raw.ContentType);
    }

    [Fact]
    public async Task The_registry_describes_endpoints_with_request_and_response_fields()
    {
        await using var kit = Kit();
        await kit.StartServerAsync("greeter", new Greeter());
        var service = Assert.Single(await kit.Registry.GetServiceAsync("greeter"));
        var hello = Assert.Single(service.Endpoints, e => e.Name == "Greeter.Hello");
        Assert.Equal("name", Assert.Single(hello.Request!.Values!).Name);
        Assert.Equal("string", hello.Request!.Values![0].Type);
        Assert.Equal("msg", Assert.Single(hello.Response!.Values!).Name);
        Assert.Equal("false", hello.Metadata!["stream"]);
        Assert.Contains(service.Endpoints, e => e.Name == "Debug.Health");
        var node = Assert.Single(service.Nodes);
        Assert.Equal((kit.Transport.Name, "mucp", "memory"), (node.Metadata!["transport"], node.Metadata["protocol"], node.Metadata["registry"]));
    }

    [Fact]
    public async Task Debug_health_and_stats_are_built_in()
    {
        await using var kit = Kit();
        await kit.StartServerAsync("greeter", new Greeter());
        var client = kit.CreateClient();
        var health = await client.CallAsync(new MicroRequest("greeter", "Debug.Health", Json.Bytes("{}")));
        // go-micro's shape ({"status":"ok"}), plus each readiness check.
        Assert.Equal("""{"status":"ok","checks":{"registry":"ok","server":"ok"}}""", Json.Text(health.Body));
        var stats = await client.CallAsync<StatsRequest, StatsResponse>("greeter", "Debug.Stats", new StatsRequest());
        Assert.True(stats.Memory > 0 && stats.Threads > 0 && stats.Started > 0);
    }

    [Fact]
    public async Task Unknown_service_fails_at_once_with_404_naming_it()
    {
        await using var kit = Kit();
        var client = kit.CreateClient();
        var e = await Assert.ThrowsAsync<MicroException>(async () => await client.CallAsync<HelloRequest, HelloResponse>("nobody", "X.Y", new HelloRequest("x")));
        Assert.Equal(404, e.Code);
        Assert.Contains("service nobody: not found", e.Detail);
    }

    [Fact]
    public async Task Unknown_endpoint_is_404_with_the_name_asked_for()
    {
        await using var kit = Kit();
        await kit.StartServerAsync("greeter", new Greeter());
        var e = await Assert.ThrowsAsync<MicroException>(async () => await kit.CreateClient().CallAsync(new MicroRequest("greeter", "Greeter.Nope", Json.Bytes("{}"))));
        Assert.Equal((404, "greeter"), (e.Code, e.Id));
        Assert.Contains("Greeter.Nope", e.Detail);
    }

    [Fact]
    public async Task Bad_json_is_400()
    {
        await using var kit = Kit();
        await kit.StartServerAsync("greeter", new Greeter());
        var e = await Assert.ThrowsAsync<MicroException>(async () => await kit.CreateClient().CallAsync(new MicroRequest("greeter", "Greeter.Hello", Json.Bytes("{\"name\":"))));
        Assert.Equal((400, "greeter"), (e.Code, e.Id));
        Assert.Contains("invalid JSON", e.Detail);
    }

    [Fact]
    public async Task A_handler_exception_is_500_with_its_message_and_is_not_retried_forever()
    {
        await using var kit = Kit();
        var handler = new Faulty();
        await kit.StartServerAsync("faulty", handler);
        var e = await Assert.ThrowsAsync<MicroException>(async () => await kit.CreateClient().CallAsync<HelloRequest, HelloResponse>("faulty", "Faulty.Boom", new HelloRequest("x")));
        Assert.Equal(500, e.Code);
        Assert.Equal("boom: x", e.Detail);
        Assert.Equal(2, handler.Calls); // retries = 1 by default, and 500 is retryable
    }

    [Fact]
    public async Task A_handler_can_refuse_with_its_own_error_code()
    {
        await using var kit = Kit();
        var handler = new Faulty();
        await kit.StartServerAsync("faulty", handler);
        var e = await Assert.ThrowsAsync<MicroException>(async () => await kit.CreateClient().CallAsync<HelloRequest, HelloResponse>("faulty", "Faulty.Conflict", new HelloRequest("x")));
        Assert.Equal((409, "faulty"), (e.Code, e.Id));
        Assert.Equal(1, handler.Calls); // 409 is not retried
    }

    [Fact]
    public async Task A_dead_node_is_marked_and_the_retry_goes_to_another_node()
    {
        await using var kit = Kit();
        await kit.StartServerAsync("greeter", new Greeter());
        // A node that is registered but not listening (its process was killed).
        await kit.Registry.RegisterAsync(new Service { Name = "greeter", Nodes = [new Node { Id = "aaa-dead", Address = DeadAddress }] }, TimeSpan.FromMinutes(1));
        var strategy = new DeadFirstStrategy();
        var client = kit.CreateClient(strategy: strategy);
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal("Hello x", (await client.CallAsync<HelloRequest, HelloResponse>("greeter", "Greeter.Hello", new HelloRequest("x"))).Msg);
        }

        Assert.True(strategy.DeadPicks is >= 1 and <= 3, $"dead node picked {strategy.DeadPicks} times"); // blacklisted after 3 failures
    }

    [Fact]
    public async Task Timeout_reaches_the_handler_as_cancellation_and_the_caller_gets_408()
    {
        await using var kit = Kit();
        var handler = new Slow();
        await kit.StartServerAsync("slow", handler);
        var client = kit.CreateClient(ClientOptions.Default with { Retries = 0 });
        // Connections and channels are set up first, so the 300 ms below are spent in the handler, not in connecting
        // (on a loaded machine a first RabbitMQ publish can take that long, and a request never sent cancels nothing).
        await client.CallAsync(new MicroRequest("slow", "Debug.Health", Json.Bytes("{}")));
        var e = await Assert.ThrowsAsync<MicroException>(async () => await client.CallAsync<HelloRequest, HelloResponse>("slow", "Slow.Wait", new HelloRequest("x"), new CallOptions { Timeout = TimeSpan.FromMilliseconds(300) }));
        Assert.Equal(408, e.Code);
        Assert.True(await handler.Cancelled.Task.WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.NotNull(handler.SeenDeadline);
    }

    [Fact]
    public async Task Caller_cancellation_reaches_the_handler()
    {
        await using var kit = Kit();
        var handler = new Slow();
        await kit.StartServerAsync("slow", handler);
        var client = kit.CreateClient();
        using var cts = new CancellationTokenSource();
        var call = client.CallAsync<HelloRequest, HelloResponse>("slow", "Slow.Wait", new HelloRequest("x"), new CallOptions { Timeout = TimeSpan.FromMinutes(1) }, cts.Token).AsTask();
        await handler.Started.Task.WaitAsync(TimeSpan.FromSeconds(20));
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        Assert.True(await handler.Cancelled.Task.WaitAsync(TimeSpan.FromSeconds(20)));
    }

    [Fact]
    public async Task Deadlines_cascade_through_nested_calls()
    {
        await using var kit = Kit();
        var slow = new Slow();
        await kit.StartServerAsync("slow", slow);
        var client = kit.CreateClient(ClientOptions.Default with { Retries = 0 });
        await kit.StartServerAsync("front", new Front(client));
        var started = DateTimeOffset.UtcNow;
        var e = await Assert.ThrowsAsync<MicroException>(async () => await client.CallAsync<HelloRequest, HelloResponse>("front", "Front.Relay", new HelloRequest("x"), new CallOptions { Timeout = TimeSpan.FromSeconds(2) }));
        Assert.Equal(408, e.Code);
        // The inner call inherited the outer deadline (the inner default would have been 5 s).
        Assert.NotNull(slow.SeenDeadline);
        Assert.True(slow.SeenDeadline < started + TimeSpan.FromSeconds(4), $"inner deadline {slow.SeenDeadline} was not inherited");
    }

    [Fact]
    public async Task Metadata_travels_both_ways()
    {
        await using var kit = Kit();
        var handler = new Echo();
        await kit.StartServerAsync("echo", handler);
        var reply = await kit.CreateClient().CallAsync(new MicroRequest("echo", "Echo.Meta", Json.Bytes("{}")), new CallOptions { Metadata = new Dictionary<string, string> { ["X-User"] = "alice", ["Trace"] = "t1" } });
        Assert.Equal("alice", handler.Seen!["x-user"]);
        Assert.Equal("t1", handler.Seen["Trace"]);
        Assert.Equal("echo", handler.Seen["Micro-Service"]);
        Assert.Equal("Echo.Meta", handler.Seen["Micro-Endpoint"]);
        Assert.False(string.IsNullOrEmpty(handler.Seen["Remote"]));
        Assert.Equal("alice-reply", reply.Metadata["X-Reply"]);
        Assert.DoesNotContain(reply.Metadata.Keys, k => k.StartsWith("Micro-", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task Middleware_wraps_every_request_on_both_sides()
    {
        var log = new List<string>();
        await using var kit = Kit();
        await kit.StartServerAsync("greeter", new Greeter(), null, next => async (request, ct) =>
        {
            lock (log)
            {
                log.Add("server:" + request.Endpoint);
            }

            return await next(request, ct);
        });
        var client = kit.CreateClient(null, null, next => async (call, ct) =>
        {
            lock (log)
            {
                log.Add("client:" + call.Request.Endpoint);
            }

            call.Options = call.Options with { Metadata = new Dictionary<string, string> { ["X-Added"] = "1" } };
            return await next(call, ct);
        });
        await client.CallAsync<HelloRequest, HelloResponse>("greeter", "Greeter.Hello", new HelloRequest("x"));
        Assert.Equal(["client:Greeter.Hello", "server:Greeter.Hello"], log);
    }

    [Fact]
    public async Task Graceful_stop_completes_in_flight_calls_and_removes_the_node()
    {
        await using var kit = Kit();
        var gate = new Gated();
        var server = await kit.StartServerAsync("gated", gate);
        var client = kit.CreateClient(ClientOptions.Default with { Retries = 0 });
        var call = client.CallAsync<HelloRequest, HelloResponse>("gated", "Gated.Hold", new HelloRequest("x"), new CallOptions { Timeout = TimeSpan.FromSeconds(30) }).AsTask();
        await gate.Entered.Task.WaitAsync(TimeSpan.FromSeconds(20));

        var stop = server.StopAsync();
        // Out of the registry while the call is still held (polled: a fixed wait flaked on a loaded machine).
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while ((await kit.Registry.GetServiceAsync("gated")).Count > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the stopping node was not deregistered");
            await Task.Delay(20);
        }

        Assert.False(stop.IsCompleted); // waits for the call in flight

        gate.Release.SetResult();
        Assert.Equal("held x", (await call).Msg);
        await stop.WaitAsync(TimeSpan.FromSeconds(20));
        var e = await Assert.ThrowsAsync<MicroException>(async () => await client.CallAsync<HelloRequest, HelloResponse>("gated", "Gated.Hold", new HelloRequest("x"), new CallOptions { Address = server.Address }));
        Assert.True(e.IsTransportError, e.Message);
    }

    [Fact]
    public async Task Re_registration_keeps_a_short_ttl_node_alive()
    {
        await using var kit = Kit();
        // Without re-registration the node would be gone after 3 s; it is still there after 6 s.
        await kit.StartServerAsync("greeter", new Greeter(), ServerOptions.Default with { RegisterTtl = TimeSpan.FromSeconds(3), RegisterInterval = TimeSpan.FromMilliseconds(200) });
        for (var i = 0; i < 12; i++)
        {
            await Task.Delay(500);
            Assert.Single(await kit.Registry.GetServiceAsync("greeter"));
        }
    }

    public sealed class Faulty
    {
        public int Calls;

        public Task<HelloResponse> Boom(HelloRequest request, CancellationToken ct)
        {
            Interlocked.Increment(ref Calls);
            throw new InvalidOperationException("boom: " + request.Name);
        }

        public Task<HelloResponse> Conflict(HelloRequest request, CancellationToken ct)
        {
            Interlocked.Increment(ref Calls);
            throw MicroException.Conflict("", "already exists");
        }
    }

    public sealed class Slow
    {
        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource<bool> Cancelled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public DateTimeOffset? SeenDeadline { get; private set; }

        public async Task<HelloResponse> Wait(HelloRequest request, CancellationToken ct)
        {
            SeenDeadline = CallContext.Current?.Deadline;
            Started.TrySetResult();
            try
            {
                await Task.Delay(Timeout.Infinite, ct);
            }
            catch (OperationCanceledException)
            {
                Cancelled.TrySetResult(true);
                throw;
            }

            return new HelloResponse("never");
        }
    }

    public sealed class Front(IMicroClient client)
    {
        public Task<HelloResponse> Relay(HelloRequest request, CancellationToken ct)
            => client.CallAsync<HelloRequest, HelloResponse>("slow", "Slow.Wait", request, null, ct).AsTask();
    }

    public sealed class Echo
    {
        public IReadOnlyDictionary<string, string>? Seen { get; private set; }

        public Task<HelloResponse> Meta(HelloRequest request, CancellationToken ct)
        {
            Seen = CallContext.Current!.Metadata;
            CallContext.Current.ResponseMetadata["X-Reply"] = Seen["X-User"] + "-reply";
            return Task.FromResult(new HelloResponse("ok"));
        }
    }

    public sealed class Gated
    {
        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async Task<HelloResponse> Hold(HelloRequest request, CancellationToken ct)
        {
            Entered.TrySetResult();
            await Release.Task;
            return new HelloResponse("held " + request.Name);
        }
    }

    private sealed class DeadFirstStrategy : ISelectionStrategy
    {
        public int DeadPicks;

        public string Name => "dead-first";

        public SelectableNode Pick(string service, IReadOnlyList<SelectableNode> nodes, in SelectRequest request)
        {
            var node = nodes.OrderBy(n => n.Id, StringComparer.Ordinal).First();
            if (node.Id == "aaa-dead")
            {
                Interlocked.Increment(ref DeadPicks);
            }

            return node;
        }
    }
}
