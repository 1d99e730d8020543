using Micro.Hosting;
using Microsoft.Extensions.Configuration;

namespace Micro.IntegrationTests;

/// <summary>The appsettings.json example of README's Configuration section means what the text says it does.</summary>
public sealed class DocsConfigurationTests
{
    [Fact]
    public void The_readme_appsettings_example_reads_into_the_settings_it_describes()
    {
        var block = Assert.Single(MarkdownBlock.Read(Path.Combine(Programs.Root, "README.md"), "README.md"), b => b.Language == "json" && b.Text.Contains("\"Micro\"", StringComparison.Ordinal));
        using var json = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(block.Text));
        var configuration = new ConfigurationBuilder().AddJsonStream(json).Build();
        var settings = MicroSettings.FromConfiguration(configuration);
        Assert.Equal(("billing", "payments"), (settings.ServerName, settings.ServerMetadata?["team"]));
        Assert.Equal(("etcd", "10.0.0.5:2379"), (settings.Registry, settings.RegistryAddress));
        Assert.Equal("rabbitmq", settings.Broker);
        Assert.Equal((3, TimeSpan.FromSeconds(2)), (settings.ClientRetries, settings.ClientRequestTimeout));
        Assert.Equal("billing-events", configuration["Micro:Broker:RabbitMQ:Exchange"]);
    }
}
