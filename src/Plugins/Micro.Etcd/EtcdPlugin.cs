using Micro.Hosting;
using Microsoft.Extensions.Logging;

[assembly: MicroPlugin(typeof(Micro.Etcd.EtcdPlugin))]

namespace Micro.Etcd;

/// <summary>Adds <c>etcd</c> as a registry name (<c>--registry etcd --registry_address 127.0.0.1:2379,...</c>).</summary>
public sealed class EtcdPlugin : IMicroPlugin
{
    public void Register(MicroPlugins plugins)
        => plugins.AddRegistry("etcd", c => new EtcdRegistry(EtcdRegistry.Endpoints(c.Settings.RegistryAddress), c.LoggerFactory.CreateLogger<EtcdRegistry>(),
            c.Options(_ => new EtcdOptions
            {
                Username = c.Settings.RegistryUsername,
                Password = c.Settings.RegistryPassword,
                Tls = c.Settings.ToRegistryTls(),
            })));
}
