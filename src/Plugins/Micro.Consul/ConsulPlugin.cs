using Micro.Hosting;
using Microsoft.Extensions.Logging;

[assembly: MicroPlugin(typeof(Micro.Consul.ConsulPlugin))]

namespace Micro.Consul;

/// <summary>Adds <c>consul</c> as a registry name (<c>--registry consul --registry_address 127.0.0.1:8500</c>).</summary>
public sealed class ConsulPlugin : IMicroPlugin
{
    public void Register(MicroPlugins plugins)
        => plugins.AddRegistry("consul", (settings, loggers) => new ConsulRegistry(settings.RegistryAddress, loggers.CreateLogger<ConsulRegistry>(), settings.RegistryToken, settings.ToRegistryTls()));
}
