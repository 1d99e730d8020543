using Micro.Hosting;
using Microsoft.Extensions.Logging;

[assembly: MicroPlugin(typeof(Micro.Etcd.EtcdPlugin))]

namespace Micro.Etcd;

/// <summary>Adds <c>etcd</c> as a registry name (<c>--registry etcd --registry_address 127.0.0.1:2379,...</c>).</summary>
public sealed class EtcdPlugin : IMicroPlugin
{
    public void Register(MicroPlugins plugins)
        => plugins.AddRegistry("etcd", (settings, loggers) => new EtcdRegistry(EtcdRegistry.Endpoints(settings.RegistryAddress), loggers.CreateLogger<EtcdRegistry>(), new EtcdOptions
        {
            Username = settings.RegistryUsername,
            Password = settings.RegistryPassword,
            Tls = settings.ToRegistryTls(),
        }));
}
