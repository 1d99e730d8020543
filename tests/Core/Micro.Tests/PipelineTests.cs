using Micro.Client;
using Micro.Hosting;
using Micro.Registry;
using Micro.Selector;
using Micro.Server;
using Micro.Transport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Micro.Tests;

/// <summary>The client and server pipelines: their documented order, and stages users insert, replace and remove.</summary>
public sealed class PipelineTests
{
    private static TestKit Kit() => new(transport: new MemoryTransport(new MemoryNetwork()));

    [Fact]
    public void The_built_in_stages_come_in_the_documented_order_and_use_goes_where_middleware_always_went()
    {
        var client = ClientStages.CreatePipeline();
        Assert.Equal(["telemetry", "deadline", "retry", "hedge", "select", "node-marking", "attempt-timeout"], client.Names);
        client.Use(next => next).Use(next => next);
        Assert.Equal(["telemetry", "middleware-1", "middleware-2", "deadline", "retry", "hedge", "select", "node-marking", "attempt-timeout"], client.Names);

        var server = ServerStages.CreatePipeline();
        Assert.Equal(["telemetry", "errors", "admission", "route", "deadline"], server.Names);
        server.Use(next => next).Use(next => next);
        Assert.Equal(["telemetry", "errors", "admission", "route", "deadline", "middleware-1", "middleware-2"], server.Names);
    }

    [Fact]
    public void Naming_a_stage_that_is_not_there_or_reusing_a_name_says_which_stages_there_are()
    {
        var pipeline = ClientStages.CreatePipeline();
        var unknown = Assert.Throws<ArgumentException>(() => pipeline.InsertBefore("retries", "audit", next => next));
        Assert.Contains("no stage named 'retries'", unknown.Message, StringComparison.Ordinal);
        Assert.Contains("telemetry -> deadline -> retry", unknown.Message, StringComparison.Ordinal);
        var duplicate = Assert.Throws<ArgumentException>(() => pipeline.InsertAfter(ClientStages.Retry, ClientStages.Select, next => next));
        Assert.Contains("already has a stage named 'select'", duplicate.Message, StringComparison.Ordinal);
        Assert.Equal(ClientStages.Order, pipeline.Names); // nothing half-applied
    }

    [Fact]
    public async Task A_stage_after_select_sees_every_attempt_and_the_node_it_goes_to()
    {
        await using var kit = Kit();
        await kit.StartServerAsync("greeter", new Greeter());
        await kit.Registry.RegisterAsync(new Service { Name = "greeter", Nodes = [new Node { Id = "aaa-dead", Address = "memory:nobody" }] }, TimeSpan.FromMinutes(1));
        var seen = new List<(int Attempt, string? Node)>();
        var outer = 0;
        var pipeline = ClientStages.CreatePipeline()
            .InsertBefore(ClientStages.Deadline, "outer", next => (call, ct) =>
            {
                outer++;
                return next(call, ct);
            })
            .InsertAfter(ClientStages.Select, "audit", next => (call, ct) =>
            {
                seen.Add((call.Attempt, call.Target?.NodeId));
                return next(call, ct);
            });
        await using var selector = new RegistrySelector(kit.Registry, new DeadFirst());
        var client = new MicroClient(selector, kit.Transport, pipeline: pipeline);

        Assert.Equal("Hello x", (await client.CallAsync<HelloRequest, HelloResponse>("greeter", "Greeter.Hello", new HelloRequest("x"))).Msg);
        Assert.Equal(1, outer); // outside the retry stage: once per call
        Assert.Equal(2, seen.Count); // inside it: once per attempt
        Assert.Equal((0, "aaa-dead"), seen[0]);
        Assert.Equal(1, seen[1].Attempt);
        Assert.NotEqual("aaa-dead", seen[1].Node); // node marking made the retry avoid the dead node
    }

    [Fact]
    public async Task A_replaced_retry_stage_runs_instead_of_the_built_in_one()
    {
        await using var kit = Kit();
        await kit.Registry.RegisterAsync(new Service { Name = "gone", Nodes = [new Node { Id = "gone-1", Address = "memory:nobody" }] }, TimeSpan.FromMinutes(1));
        var attempts = 0;
        var pipeline = ClientStages.CreatePipeline()
            .Replace(ClientStages.Retry, next => (call, ct) => next(call, ct)) // one attempt, whatever ClientOptions.Retries says
            .InsertAfter(ClientStages.Retry, "count", next => (call, ct) =>
            {
                attempts++;
                return next(call, ct);
            });
        await using var selector = new RegistrySelector(kit.Registry);
        var client = new MicroClient(selector, kit.Transport, options: ClientOptions.Default with { Retries = 3 }, pipeline: pipeline);

        var e = await Assert.ThrowsAsync<MicroException>(async () => await client.CallAsync(new MicroRequest("gone", "Greeter.Hello", Json.Bytes("{}"))));
        Assert.True(e.IsTransportError, e.Detail);
        Assert.Equal(1, attempts);
        Assert.Equal([ClientStages.Telemetry, ClientStages.Deadline, ClientStages.Retry, "count", ClientStages.Hedge, ClientStages.Select, ClientStages.NodeMarking, ClientStages.AttemptTimeout], pipeline.Names);
    }

    [Fact]
    public async Task Without_its_select_stage_a_call_fails_saying_what_is_missing()
    {
        await using var kit = Kit();
        await using var selector = new RegistrySelector(kit.Registry);
        var client = new MicroClient(selector, kit.Transport, pipeline: ClientStages.CreatePipeline().Remove(ClientStages.Select));
        var e = await Assert.ThrowsAsync<InvalidOperationException>(async () => await client.CallAsync(new MicroRequest("any", "A.B", Json.Bytes("{}"))));
        Assert.Contains("select stage", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_server_stage_after_route_sees_the_endpoint_codecs_and_call_context()
    {
        await using var kit = Kit();
        string? seen = null;
        ServerMiddleware audit = next => (request, ct) =>
        {
            seen = $"{request.Endpoint} {request.Codec.ContentType} {CallContext.Current?.Endpoint} {request.Deadline is not null}";
            return next(request, ct);
        };
        await kit.StartServerAsync("greeter", new Greeter(), null, audit);
        await kit.CreateClient().CallAsync<HelloRequest, HelloResponse>("greeter", "Greeter.Hello", new HelloRequest("x"));
        Assert.Equal("Greeter.Hello application/json Greeter.Hello True", seen);
    }

    [Fact]
    public async Task A_replaced_errors_stage_decides_what_callers_learn_of_a_failure()
    {
        await using var kit = Kit();
        var services = new ServiceCollection().AddSingleton(new Thrower()).BuiltServices();
        // Hide what an unexpected exception says (it may name internals); keep MicroExceptions as they are.
        var pipeline = ServerStages.CreatePipeline().Replace(ServerStages.Errors, next => async (request, ct) =>
        {
            try
            {
                return await next(request, ct);
            }
            catch (Exception e) when (e is not MicroException)
            {
                return ServerResponse.Failure(MicroException.InternalServerError("thrower", "internal error"));
            }
        });
        await using var server = new MicroServer(ServerOptions.Default with { Name = "thrower" }, kit.Registry, kit.Transport, HandlerEndpoints.From(typeof(Thrower)), services, pipeline: pipeline);
        await server.StartAsync();
        var client = kit.CreateClient(ClientOptions.Default with { Retries = 0 });

        var hidden = await Assert.ThrowsAsync<MicroException>(async () => await client.CallAsync<HelloRequest, HelloResponse>("thrower", "Thrower.Leak", new HelloRequest("x")));
        Assert.Equal(500, hidden.Code);
        Assert.Equal("internal error", hidden.Detail);
        var refused = await Assert.ThrowsAsync<MicroException>(async () => await client.CallAsync<HelloRequest, HelloResponse>("thrower", "Thrower.Refuse", new HelloRequest("x")));
        Assert.Equal(409, refused.Code);
        var unknown = await Assert.ThrowsAsync<MicroException>(async () => await client.CallAsync<HelloRequest, HelloResponse>("thrower", "Thrower.Nope", new HelloRequest("x")));
        Assert.Equal(404, unknown.Code); // routing errors still go through the replaced stage
    }

    [Fact]
    public async Task A_server_without_its_errors_stage_still_answers_every_failure()
    {
        await using var kit = Kit();
        var services = new ServiceCollection().AddSingleton(new Thrower()).BuiltServices();
        await using var server = new MicroServer(ServerOptions.Default with { Name = "bare" }, kit.Registry, kit.Transport, HandlerEndpoints.From(typeof(Thrower)), services,
            pipeline: ServerStages.CreatePipeline().Remove(ServerStages.Errors));
        await server.StartAsync();
        var client = kit.CreateClient(ClientOptions.Default with { Retries = 0 });
        var e = await Assert.ThrowsAsync<MicroException>(async () => await client.CallAsync<HelloRequest, HelloResponse>("bare", "Thrower.Leak", new HelloRequest("x")));
        Assert.Equal(500, e.Code);
        Assert.Equal("bare", e.Id);
        Assert.Contains("secret path", e.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_hosted_app_configures_both_pipelines_through_the_builder()
    {
        var log = new List<string>();
        var builder = Host.CreateApplicationBuilder(["--registry", "memory", "--transport", "memory", "--broker", "memory", "--server_name", "piped"]);
        builder.Services.AddMicro(micro => micro
            .AddHandler<Greeter>()
            .ConfigureClientPipeline(p => p.InsertAfter(ClientStages.Retry, "client-audit", next => (call, ct) =>
            {
                lock (log)
                {
                    log.Add("client attempt " + call.Attempt);
                }

                return next(call, ct);
            }))
            // Outside the errors stage, so failures arrive as responses carrying their error.
            .ConfigureServerPipeline(p => p.InsertAfter(ServerStages.Telemetry, "server-audit", next => async (request, ct) =>
            {
                var response = await next(request, ct);
                lock (log)
                {
                    log.Add($"server {request.Endpoint} {response.Error?.Code ?? 200}");
                }

                return response;
            })));
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            var client = host.Services.GetRequiredService<IMicroClient>();
            await client.CallAsync<HelloRequest, HelloResponse>("piped", "Greeter.Hello", new HelloRequest("x"));
            await Assert.ThrowsAsync<MicroException>(async () => await client.CallAsync<HelloRequest, HelloResponse>("piped", "Greeter.Nope", new HelloRequest("x")));
            lock (log)
            {
                Assert.Equal(["client attempt 0", "server Greeter.Hello 200", "client attempt 0", "server Greeter.Nope 404"], log);
            }
        }
        finally
        {
            await host.StopAsync();
        }
    }

    public sealed class Thrower
    {
        public Task<HelloResponse> Leak(HelloRequest request, CancellationToken ct) => throw new InvalidOperationException("secret path /srv/keys");

        public Task<HelloResponse> Refuse(HelloRequest request, CancellationToken ct) => throw new MicroException("thrower", 409, "taken");
    }

    /// <summary>Picks the dead node whenever it is offered.</summary>
    private sealed class DeadFirst : ISelectionStrategy
    {
        public string Name => "dead-first";

        public SelectableNode Pick(string service, IReadOnlyList<SelectableNode> nodes, in SelectRequest request)
            => nodes.FirstOrDefault(n => n.Id == "aaa-dead") ?? nodes[0];
    }
}

internal static class ServiceCollectionTestExtensions
{
    public static IServiceProvider BuiltServices(this IServiceCollection services) => services.AddSingleton(TimeProvider.System).BuildServiceProvider();
}
