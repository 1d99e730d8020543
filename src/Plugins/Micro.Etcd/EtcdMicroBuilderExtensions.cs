using Micro.Hosting;
using Micro.Etcd;

namespace Microsoft.Extensions.DependencyInjection; // found where services.AddMicro() is

/// <summary><c>micro.AddEtcd()</c>: names the plugin in code; referencing the package alone selects it by configuration, except under Native AOT.</summary>
public static class EtcdMicroBuilderExtensions
{
    /// <summary>Makes <c>etcd</c> selectable as registry (<c>--registry etcd</c>) and changes its options in code.</summary>
    public static MicroBuilder AddEtcd(this MicroBuilder micro, Func<EtcdOptions, EtcdOptions>? configure = null)
        => (micro ?? throw new ArgumentNullException(nameof(micro))).AddPlugin(new EtcdPlugin(), configure);
}
