using Micro.Hosting;
using Micro.Selector;
using Microsoft.Extensions.Configuration;

namespace Micro.Tests;

public sealed class SettingsTests
{
    private static MicroSettings Read(Dictionary<string, string?> appsettings, Dictionary<string, string?> env, params string[] flags)
        => MicroSettings.FromConfiguration(new ConfigurationBuilder()
            .AddInMemoryCollection(appsettings)
            .AddInMemoryCollection(env)
            .AddCommandLine(flags)
            .Build());

    [Fact]
    public void Go_micro_names_are_read_and_flags_beat_environment_beat_appsettings()
    {
        var settings = Read(
            new() { ["Micro:server_name"] = "from-appsettings", ["Micro:registry"] = "memory", ["Micro:client_retries"] = "7" },
            new() { ["SERVER_NAME"] = "from-env", ["CLIENT_RETRIES"] = "3" }, // MICRO_ prefix already stripped by the provider
            "--server_name", "from-flag", "--register_ttl", "90", "--register_interval=45s", "--client_request_timeout", "1m30s", "--selector", "roundrobin");
        Assert.Equal("from-flag", settings.ServerName);
        Assert.Equal(3, settings.ClientRetries);
        Assert.Equal("memory", settings.Registry);
        Assert.Equal(TimeSpan.FromSeconds(90), settings.RegisterTtl);
        Assert.Equal(TimeSpan.FromSeconds(45), settings.RegisterInterval);
        Assert.Equal(TimeSpan.FromSeconds(90), settings.ClientRequestTimeout);
        Assert.IsType<RoundRobinStrategy>(settings.CreateStrategy());
    }

    [Fact]
    public void Defaults_follow_go_micro()
    {
        var settings = Read([], []);
        Assert.Equal(("local", "tcp", "random"), (settings.Registry, settings.Transport, settings.Selector));
        Assert.Equal((TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(30)), (settings.RegisterTtl, settings.RegisterInterval));
        Assert.Equal((TimeSpan.FromSeconds(5), 1), (settings.ClientRequestTimeout, settings.ClientRetries));
    }

    [Theory]
    [InlineData("register_ttl", "soon", "register_ttl: 'soon' is not a duration")]
    [InlineData("client_retries", "-1", "client_retries: '-1' is not a whole number of at least 0")]
    [InlineData("register_interval", "0", "register_interval: must be greater than zero")]
    public void Bad_values_name_the_setting_and_what_was_wrong(string key, string value, string message)
    {
        var e = Assert.Throws<FormatException>(() => Read([], [], "--" + key, value));
        Assert.Contains(message, e.Message);
    }

    [Theory]
    [InlineData(new[] { "--transport_tls_dev" }, true, "local")] // bare, last: the configuration provider alone drops it
    [InlineData(new[] { "--transport_tls_dev", "--registry", "memory" }, true, "memory")] // bare, before a flag: alone it takes "--registry" as its value
    [InlineData(new[] { "--transport_tls_dev", "true", "--registry", "memory" }, true, "memory")]
    [InlineData(new[] { "--transport_tls_dev", "false" }, false, "local")]
    [InlineData(new[] { "--transport_tls_dev=FALSE" }, false, "local")]
    [InlineData(new[] { "--transport_tls_dev=1" }, true, "local")]
    [InlineData(new string[0], false, "local")]
    public void A_switch_works_bare_and_with_true_or_false(string[] flags, bool on, string registry)
    {
        var settings = Read([], [], MicroFlags.Normalize(flags));
        Assert.Equal((on, registry), (settings.TransportTlsDev, settings.Registry));
    }

    [Theory]
    [InlineData("transport_tls_dev", "maybe", false)]
    [InlineData("allow_link_local", "on", false)]
    [InlineData("transport_tls_dev", "maybe", true)]
    public void A_switch_with_any_other_value_is_an_error_naming_it(string flag, string value, bool withEquals)
    {
        var e = Assert.Throws<FormatException>(() => Read([], [], MicroFlags.Normalize(withEquals ? ["--" + flag + "=" + value] : ["--" + flag, value])));
        Assert.Contains($"{flag}: '{value}' is not true or false", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Normalizing_leaves_every_other_argument_as_it_is()
    {
        string[] args = ["--server_name", "true", "positional", "--registry=etcd", "--allow_link_local", "no", "--x"];
        Assert.Equal(["--server_name", "true", "positional", "--registry=etcd", "--allow_link_local=false", "--x"], MicroFlags.Normalize(args));
    }

    [Fact]
    public void Unknown_plugins_list_what_is_available()
    {
        // This test project references no registry plugin: consul is unknown, and the hint names Micro's package for it.
        var e = Assert.Throws<MicroConfigurationException>(() => new MicroPlugins().CreateRegistry(MicroSettings.Default with { Registry = "consul" }, Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance));
        Assert.Equal("registry: unknown registry 'consul'; available: local, memory. If 'consul' comes from a plugin package, add it (Micro's own: dotnet add package Micro.Consul).", e.Message);
        // http is no name of the core's: it was found in Micro.Http, which this project references through Micro.
        var broker = Assert.Throws<MicroConfigurationException>(() => new MicroPlugins().CreateBroker(MicroSettings.Default with { Broker = "kafka" }, Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance, new Micro.Registry.MemoryRegistry()));
        Assert.StartsWith("broker: unknown broker 'kafka'; available: http, memory. If 'kafka' comes from a plugin package", broker.Message, StringComparison.Ordinal);
        // A name that cannot be a package id gets no package hint.
        var odd = Assert.Throws<MicroConfigurationException>(() => new MicroPlugins().CreateTransport(MicroSettings.Default with { Transport = "../x" }, Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance));
        Assert.Equal("transport: unknown transport '../x'; available: http, memory, tcp.", odd.Message);
        Assert.Throws<MicroConfigurationException>(() => (MicroSettings.Default with { Selector = "fastest" }).CreateStrategy());
    }

    [Fact]
    public async Task Plugins_are_found_in_referenced_assemblies_by_their_attribute_and_names_added_in_code_win()
    {
        var plugins = new MicroPlugins();
        Assert.DoesNotContain("http", plugins.BrokerNames); // the core alone names none
        plugins.AddTransport("http", _ => new Micro.Transport.MemoryTransport());
        await using var created = plugins.CreateBroker(MicroSettings.Default with { Broker = "http" }, Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance, new Micro.Registry.MemoryRegistry());
        Assert.IsType<Micro.Broker.HttpBroker>(created); // found in Micro.Http by its [assembly: MicroPlugin]
        Assert.IsType<Micro.Transport.MemoryTransport>(plugins.CreateTransport(MicroSettings.Default with { Transport = "http" }, Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance));
        Assert.True(PluginLoader.DeclaresPlugin(typeof(Micro.Broker.HttpBroker).Assembly.Location));
        Assert.False(PluginLoader.DeclaresPlugin(typeof(MicroPlugins).Assembly.Location));
        Assert.False(PluginLoader.DeclaresPlugin(typeof(SettingsTests).Assembly.Location + ".missing"));
        var notAssembly = Path.GetTempFileName();
        File.WriteAllText(notAssembly, "MZ not really");
        Assert.False(PluginLoader.DeclaresPlugin(notAssembly));
        File.Delete(notAssembly);
    }

    [Fact]
    public async Task Without_its_package_the_default_broker_fails_at_first_use_with_the_sentence_an_unknown_name_gets_at_start()
    {
        var plugins = new MicroPlugins(empty: true);
        plugins.AddBroker("memory", _ => new Micro.Broker.MemoryBroker());
        var broker = plugins.CreateBroker(MicroSettings.Default, Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance, new Micro.Registry.MemoryRegistry());
        var e = await Assert.ThrowsAsync<InvalidOperationException>(async () => await broker.PublishAsync("t", new Micro.Broker.BrokerMessage()));
        Assert.Equal("broker: unknown broker 'http'; available: memory. If 'http' comes from a plugin package, add it (Micro's own: dotnet add package Micro.Http).", e.Message);
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await broker.SubscribeAsync("t", (_, _) => ValueTask.CompletedTask));
        // Any other unknown name still fails at once.
        Assert.Throws<MicroConfigurationException>(() => plugins.CreateBroker(MicroSettings.Default with { Broker = "kafka" }, Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance, new Micro.Registry.MemoryRegistry()));
    }

    [Theory]
    [InlineData("30", 30_000)]
    [InlineData("500ms", 500)]
    [InlineData("1h2m3s", 3_723_000)]
    [InlineData("1.5s", 1_500)]
    public void Durations_parse_go_and_plain_forms(string text, double ms)
        => Assert.Equal(ms, Durations.Parse(text, "x").TotalMilliseconds);
}
