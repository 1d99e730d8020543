using Micro.Hosting;
using Micro.Kubernetes;

namespace Microsoft.Extensions.DependencyInjection; // found where services.AddMicro() is

/// <summary><c>micro.AddKubernetes()</c>: names the plugin in code; referencing the package alone selects it by configuration, except under Native AOT.</summary>
public static class KubernetesMicroBuilderExtensions
{
    /// <summary>Makes <c>kubernetes</c> selectable as registry (<c>--registry kubernetes</c>).</summary>
    public static MicroBuilder AddKubernetes(this MicroBuilder micro)
        => (micro ?? throw new ArgumentNullException(nameof(micro))).AddPlugin(new KubernetesPlugin());
}
