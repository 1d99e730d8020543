using Micro.Hosting;
using Microsoft.Extensions.Logging;

[assembly: MicroPlugin(typeof(Micro.Consul.ConsulPlugin))]

namespace Micro.Consul;

/// <summary>Adds <c>consul</c> as a registry name (<c>--registry consul --registry_address 127.0.0.1:8500</c>).</summary>
public sealed class ConsulPlugin : IMicroPlugin
{
    public void Register(MicroPlugins plugins)
        => plugins.AddRegistry("consul", c => new ConsulRegistry(c.Settings.RegistryAddress, c.LoggerFactory.CreateLogger<ConsulRegistry>(), c.Settings.RegistryToken, c.Settings.ToRegistryTls()));
}
