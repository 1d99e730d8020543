using Micro.Hosting;
using Micro.Kubernetes;

// In this namespace so that `micro.AddKubernetes()` is found where `services.AddMicro()` is.
namespace Microsoft.Extensions.DependencyInjection;

public static class KubernetesMicroBuilderExtensions
{
    /// <summary>
    /// Makes <c>kubernetes</c> selectable as registry (<c>--registry kubernetes</c>). Referencing the package alone already makes the name selectable,
    /// except under Native AOT.
    /// </summary>
    public static MicroBuilder AddKubernetes(this MicroBuilder micro)
    {
        ArgumentNullException.ThrowIfNull(micro);
        return micro.AddPlugin(new KubernetesPlugin());
    }
}
