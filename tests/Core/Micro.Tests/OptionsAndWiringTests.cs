using Micro.Broker;
using Micro.Client;
using Micro.Hosting;
using Micro.Registry;
using Micro.Selector;
using Micro.Server;
using Micro.Transport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Micro.Tests;

/// <summary>Each component's options from its own section, changed in code, checked at start; one wiring for hosts and tools.</summary>
public sealed class OptionsAndWiringTests
{
    private static ServiceProvider Build(Dictionary<string, string?> configuration, Action<MicroBuilder>? configure = null, params string[] flags)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(configuration).AddCommandLine(flags).Build());
        var micro = services.AddMicro();
        configure?.Invoke(micro);
        return services.BuildServiceProvider();
    }

    [Fact]
    public async Task Component_sections_are_read_and_go_micro_names_beat_them()
    {
        await using var services = Build(
            new()
            {
                ["Micro:Registry:Name"] = "memory",
                ["Micro:Transport:Name"] = "memory",
                ["Micro:Broker:Name"] = "memory",
                ["Micro:Client:Retries"] = "4",
                ["Micro:Client:RequestTimeout"] = "2s",
                ["Micro:Selector:Strategy"] = "roundrobin",
                ["Micro:Transport:MaxMessageSize"] = "65536",
                ["Micro:Server:Name"] = "from-section",
                ["Micro:Server:Metadata:team"] = "payments",
                ["Micro:server_version"] = "2.0", // the flag name inside the Micro section keeps working
            },
            flags: ["--server_name", "from-flag"]);
        Assert.Equal("memory", services.GetRequiredService<IRegistry>().Name);
        Assert.Equal("memory", services.GetRequiredService<ITransport>().Name);
        Assert.IsType<MemoryBroker>(services.GetRequiredService<IBroker>());
        var client = services.GetRequiredService<IOptions<ClientOptions>>().Value;
        Assert.Equal((4, TimeSpan.FromSeconds(2)), (client.Retries, client.RequestTimeout));
        Assert.Equal("roundrobin", services.GetRequiredService<IOptions<SelectorOptions>>().Value.Strategy);
        Assert.Equal(65536, services.GetRequiredService<IOptions<TransportOptions>>().Value.MaxMessageSize);
        var server = services.GetRequiredService<IOptions<ServerOptions>>().Value;
        Assert.Equal(("from-flag", "2.0", "payments"), (server.Name, server.Version, server.Metadata?["team"]));
        Assert.Equal("Micro:Broker:Address", MicroConfigurationKeys.KeyOf("broker_address"));
    }

    [Fact]
    public async Task Configure_in_code_applies_in_order_after_configuration()
    {
        await using var services = Build(
            new() { ["Micro:Client:Retries"] = "4", ["Micro:Registry:Name"] = "memory" },
            micro => micro
                .Configure<ClientOptions>(o => o with { Retries = o.Retries + 1 })
                .Configure<ClientOptions>(o => o with { Retries = o.Retries * 10 })
                .Configure<SelectorOptions>(o => o with { EjectAfterFailures = 7 }));
        Assert.Equal(50, services.GetRequiredService<MicroClient>().Options.Retries);
        Assert.Equal(7, services.GetRequiredService<IOptions<SelectorOptions>>().Value.EjectAfterFailures);
    }

    [Theory]
    [InlineData("retries", "ClientOptions: Retries (--client_retries) must be 0 or more.")]
    [InlineData("strategy", "selector: unknown strategy 'fastest'; use random, roundrobin, hashed, p2c or blacklist.")]
    [InlineData("name", "ServerOptions: Name (--server_name) is empty.")]
    [InlineData("pool", "TransportOptions: PoolSize (--client_pool_size) must be at least 1.")]
    public async Task A_value_no_component_can_run_with_is_one_line_naming_it(string which, string message)
    {
        await using var services = Build([], micro => _ = which switch
        {
            "retries" => micro.Configure<ClientOptions>(o => o with { Retries = -1 }),
            "strategy" => micro.Configure<SelectorOptions>(o => o with { Strategy = "fastest" }),
            "name" => micro.Configure<ServerOptions>(o => o with { Name = " " }),
            _ => micro.Configure<TransportOptions>(o => o with { PoolSize = 0 }),
        });
        var e = Assert.Throws<MicroConfigurationException>(() => which switch
        {
            "retries" => (object)services.GetRequiredService<IOptions<ClientOptions>>().Value,
            "strategy" => services.GetRequiredService<ISelector>(),
            "name" => services.GetRequiredService<IOptions<ServerOptions>>().Value,
            _ => services.GetRequiredService<IOptions<TransportOptions>>().Value,
        });
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public async Task Every_component_is_a_keyed_service_by_name_and_the_unkeyed_one_is_the_configured_one()
    {
        await using var services = Build(new() { ["Micro:Registry:Name"] = "memory", ["Micro:Broker:Name"] = "memory" });
        Assert.Same(services.GetRequiredService<IRegistry>(), services.GetRequiredKeyedService<IRegistry>("memory"));
        Assert.IsType<LocalRegistry>(services.GetRequiredKeyedService<IRegistry>("local"));
        Assert.IsType<MemoryTransport>(services.GetRequiredKeyedService<ITransport>("memory"));
        Assert.Same(services.GetRequiredService<IBroker>(), services.GetRequiredKeyedService<IBroker>("memory"));
        var unknown = Assert.Throws<MicroConfigurationException>(() => services.GetRequiredKeyedService<IRegistry>("zookeeper"));
        Assert.StartsWith("registry: unknown registry 'zookeeper'; available: ", unknown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_handler_added_after_AddMicro_returns_still_runs_the_server()
    {
        var builder = Host.CreateApplicationBuilder(["--registry", "memory", "--server_name", "later", "--broker", "memory"]);
        builder.Services.AddMicro().AddHandler<Greeter>(); // no configure callback: the order of calls does not matter
        builder.Services.AddMicro(); // a second AddMicro (another library's) changes nothing
        using var host = builder.Build();
        await host.StartAsync();
        var client = host.Services.GetRequiredService<IMicroClient>();
        Assert.Equal("Hello late", (await client.CallAsync<HelloRequest, HelloResponse>("later", "Greeter.Hello", new HelloRequest("late"))).Msg);
        Assert.Equal("later", ((MicroClient)client).Options.FromService); // the client knows it calls from a server
        Assert.Single(host.Services.GetServices<IHostedService>(), s => s.GetType().Name == "MicroServerHostedService");
        await host.StopAsync();
    }

    [Fact]
    public async Task A_bad_configuration_in_any_generic_host_is_one_log_line_and_exit_code_2()
    {
        var logs = new RecentLogs();
        var builder = Host.CreateApplicationBuilder(["--registry", "memory", "--broker", "kafka"]);
        builder.Logging.ClearProviders().AddProvider(logs);
        builder.Services.AddMicro().AddHandler<Greeter>();
        using var host = builder.Build();
        var before = Environment.ExitCode;
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
            await host.RunAsync(timeout.Token); // returns: the host is stopped, not left running without its server
            Assert.False(timeout.IsCancellationRequested, "the host kept running after a configuration it cannot start with");
            Assert.Equal(MicroServiceApp.ConfigurationErrorExitCode, Environment.ExitCode);
            var line = Assert.Single(logs.Lines, l => l.Contains("Micro cannot start", StringComparison.Ordinal));
            Assert.Contains("broker: unknown broker 'kafka'; available: ", line, StringComparison.Ordinal);
            Assert.DoesNotContain(" at ", line, StringComparison.Ordinal); // no stack trace
        }
        finally
        {
            Environment.ExitCode = before;
        }
    }

    [Fact]
    public async Task A_tool_environment_is_built_from_the_same_registrations_as_a_host()
    {
        var settings = MicroSettings.Default with { Registry = "memory", Broker = "memory" };
        await using var environment = MicroEnvironment.Create(settings, micro => micro.Configure<ClientOptions>(o => o with { Retries = 6 }));
        Assert.Equal(6, environment.Client.Options.Retries);
        Assert.Same(environment.Client, environment.Services.GetRequiredService<IMicroClient>());
        Assert.Same(environment.Registry, environment.Services.GetRequiredKeyedService<IRegistry>("memory"));
        Assert.Same(environment.Selector, environment.Services.GetRequiredService<ISelector>());

        var bad = Assert.Throws<MicroConfigurationException>(() => MicroEnvironment.Create(settings with { Transport = "carrier-pigeon" }));
        Assert.StartsWith("transport: unknown transport 'carrier-pigeon'", bad.Message, StringComparison.Ordinal);
    }
}
