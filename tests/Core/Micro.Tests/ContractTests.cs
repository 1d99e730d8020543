using Micro.Client;
using Micro.Contracts;
using Micro.Hosting;
using Micro.Registry;
using Micro.Server;
using Microsoft.Extensions.DependencyInjection;

namespace Micro.Tests;

/// <summary>The same endpoint as the plain <see cref="Greeter"/> class: Greeter.Hello.</summary>
[MicroContract("greeter")]
public interface IGreeter
{
    Task<HelloResponse> Hello(HelloRequest request, CancellationToken cancellationToken);
}

[MicroContract("counter", Name = "Streamer")]
public interface ICounter
{
    IAsyncEnumerable<Number> Count(CountRequest request, CancellationToken cancellationToken);

    Task<Number> Sum(IAsyncEnumerable<Number> numbers, CancellationToken cancellationToken);

    IAsyncEnumerable<Number> Echo(IAsyncEnumerable<Number> numbers, CancellationToken cancellationToken);
}

public sealed class ContractGreeter : IGreeter
{
    public Task<HelloResponse> Hello(HelloRequest request, CancellationToken cancellationToken) => Task.FromResult(new HelloResponse("Hi " + request.Name));
}

/// <summary>Implements the contract by delegating to the plain-class streamer of the stream tests.</summary>
public sealed class ContractCounter : ICounter
{
    private readonly Streamer _streamer = new();

    public IAsyncEnumerable<Number> Count(CountRequest request, CancellationToken cancellationToken) => _streamer.Count(request, cancellationToken);

    public Task<Number> Sum(IAsyncEnumerable<Number> numbers, CancellationToken cancellationToken) => _streamer.Sum(numbers, cancellationToken);

    public IAsyncEnumerable<Number> Echo(IAsyncEnumerable<Number> numbers, CancellationToken cancellationToken) => _streamer.Echo(numbers, cancellationToken);
}

public sealed class ContractTests
{
    [Fact]
    public async Task A_generated_client_calls_a_plain_class_handler()
    {
        await using var kit = new TestKit();
        await kit.StartServerAsync("greeter", new Greeter());
        IGreeter greeter = new GreeterClient(kit.CreateClient());
        Assert.Equal("Hello typed", (await greeter.Hello(new HelloRequest("typed"), CancellationToken.None)).Msg);
    }

    [Fact]
    public async Task A_plain_client_calls_a_generated_binding_and_the_registry_cannot_tell_the_difference()
    {
        var builder = MicroService.CreateBuilder(["--registry", "memory", "--server_name", "greeter"]);
        builder.Micro.AddGreeter<ContractGreeter>();
        await using var app = builder.Build();
        await app.StartAsync();
        var raw = await app.Client.CallAsync(new MicroRequest("greeter", "Greeter.Hello", Json.Bytes("""{"name":"plain"}""")));
        Assert.Equal("""{"msg":"Hi plain"}""", Json.Text(raw.Body));

        // Same description as the plain-class handler publishes.
        var generated = Assert.Single(await app.Services.GetRequiredService<IRegistry>().GetServiceAsync("greeter")).Endpoints.Single(e => e.Name == "Greeter.Hello");
        var plain = HandlerEndpoints.From(typeof(Greeter)).Single(e => e.Name == "Greeter.Hello").Endpoint;
        Assert.Equal(System.Text.Json.JsonSerializer.Serialize(plain), System.Text.Json.JsonSerializer.Serialize(generated));
        await app.StopAsync();
    }

    [Fact]
    public async Task Generated_clients_and_bindings_carry_every_stream_kind()
    {
        var builder = MicroService.CreateBuilder(["--registry", "memory", "--server_name", "counter"]);
        builder.Micro.AddStreamer<ContractCounter>();
        await using var app = builder.Build();
        await app.StartAsync();
        ICounter counter = new StreamerClient(app.Client);
        Assert.Equal(Enumerable.Range(1, 10_000), await counter.Count(new CountRequest(10_000), CancellationToken.None).Select(n => n.N).ToListAsync());
        Assert.Equal(5050, (await counter.Sum(Enumerable.Range(1, 100).Select(i => new Number(i)).ToAsyncEnumerable(), CancellationToken.None)).N);
        Assert.Equal(Enumerable.Range(0, 10_000), await counter.Echo(Enumerable.Range(0, 10_000).Select(i => new Number(i)).ToAsyncEnumerable(), CancellationToken.None).Select(n => n.N).ToListAsync());
        await app.StopAsync();
    }
}
