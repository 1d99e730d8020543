using Micro.Hosting;
using Microsoft.Extensions.Logging;

[assembly: MicroPlugin(typeof(Micro.Kubernetes.KubernetesPlugin))]

namespace Micro.Kubernetes;

/// <summary>Adds <c>kubernetes</c> as a registry name (in-cluster by default; <c>--registry_address</c> an API URL or kubeconfig).</summary>
public sealed class KubernetesPlugin : IMicroPlugin
{
    public void Register(MicroPlugins plugins)
        => plugins.AddRegistry("kubernetes", c => KubernetesRegistry.FromAddress(c.Settings.RegistryAddress, c.LoggerFactory.CreateLogger<KubernetesRegistry>()));
}
