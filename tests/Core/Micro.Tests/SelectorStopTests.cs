using Micro.Registry;
using Micro.Selector;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace Micro.Tests;

/// <summary>A watch ended by our own stop is not a failure: a clean shutdown logs nothing above Debug, in either order.</summary>
public sealed class SelectorStopTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "micro-stop", Guid.NewGuid().ToString("N"));

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Stopping_the_local_registry_and_its_selector_logs_no_warning(bool registryFirst)
    {
        var log = new FakeLogger<RegistrySelector>();
        var registry = new LocalRegistry(_folder);
        var selector = new RegistrySelector(registry, logger: log);
        await registry.RegisterAsync(new Service { Name = "stopping", Nodes = [new Node { Id = "s-1", Address = "127.0.0.1:9000" }] }, TimeSpan.FromMinutes(1));
        Assert.Single(await selector.GetNodesAsync("stopping")); // the selector's watch runs

        if (registryFirst)
        {
            await registry.DisposeAsync(); // its watch ends under the selector, as when a host disposes in its own order
            await Task.Yield();
            await selector.DisposeAsync();
        }
        else
        {
            await selector.DisposeAsync();
            await registry.DisposeAsync();
        }

        Assert.DoesNotContain(log.Collector.GetSnapshot(), r => r.Level > LogLevel.Debug);
    }

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }
}
