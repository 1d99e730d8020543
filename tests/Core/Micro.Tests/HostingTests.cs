using Micro.Client;
using Micro.Hosting;
using Micro.Registry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Micro.Tests;

public sealed class HostingTests
{
    public sealed class Counter
    {
        public int Value;
    }

    /// <summary>A handler with a dependency from DI, registered scoped: a new instance per request.</summary>
    public sealed class Scoped(Counter counter)
    {
        private readonly int _instance = Interlocked.Increment(ref counter.Value);

        public Task<HelloResponse> Which(HelloRequest request, CancellationToken ct) => Task.FromResult(new HelloResponse(_instance.ToString(System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public async Task The_builder_hosts_handlers_from_di_with_configuration_from_flags()
    {
        var registryName = "memory";
        var builder = MicroService.CreateBuilder(["--server_name", "hosted", "--registry", registryName, "--transport", "tcp"]);
        builder.Services.AddSingleton<Counter>();
        builder.AddHandler<Greeter>();
        builder.AddHandler<Scoped>(lifetime: ServiceLifetime.Scoped);
        await using var app = builder.Build();
        await app.StartAsync();

        Assert.Equal("hosted", app.Server.Name);
        var registry = app.Services.GetRequiredService<IRegistry>();
        Assert.Equal("memory", registry.Name);
        var service = Assert.Single(await registry.GetServiceAsync("hosted"));
        Assert.Contains(service.Endpoints, e => e.Name == "Scoped.Which");

        Assert.Equal("Hello DI", (await app.Client.CallAsync<HelloRequest, HelloResponse>("hosted", "Greeter.Hello", new HelloRequest("DI"))).Msg);
        var first = (await app.Client.CallAsync<HelloRequest, HelloResponse>("hosted", "Scoped.Which", new HelloRequest("x"))).Msg;
        var second = (await app.Client.CallAsync<HelloRequest, HelloResponse>("hosted", "Scoped.Which", new HelloRequest("x"))).Msg;
        Assert.NotEqual(first, second);

        await app.StopAsync();
        Assert.Empty(await registry.GetServiceAsync("hosted"));
    }

    [Fact]
    public async Task AddMicro_works_in_any_generic_host()
    {
        var builder = Host.CreateApplicationBuilder(["--registry", "memory", "--server_name", "generic"]);
        builder.Services.AddMicro(m => m.AddHandler<Greeter>());
        using var host = builder.Build();
        await host.StartAsync();
        var client = host.Services.GetRequiredService<IMicroClient>();
        Assert.Equal("Hello G", (await client.CallAsync<HelloRequest, HelloResponse>("generic", "Greeter.Hello", new HelloRequest("G"))).Msg);
        await host.StopAsync();
    }

    [Fact]
    public void A_public_async_method_that_cannot_be_an_endpoint_is_a_clear_startup_error()
    {
        var e = Assert.Throws<InvalidOperationException>(() => new ServiceCollection().AddMicro(m => m.AddHandler<Wrong>()));
        Assert.Contains("Wrong.TwoArgs cannot be an endpoint", e.Message);
    }

    public sealed class Wrong
    {
        public Task<HelloResponse> TwoArgs(HelloRequest a, HelloRequest b) => Task.FromResult(new HelloResponse(""));
    }
}
