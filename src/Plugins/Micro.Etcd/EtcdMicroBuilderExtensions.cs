using Micro.Hosting;
using Micro.Etcd;

// In this namespace so that `micro.AddEtcd()` is found where `services.AddMicro()` is.
namespace Microsoft.Extensions.DependencyInjection;

public static class EtcdMicroBuilderExtensions
{
    /// <summary>
    /// Makes <c>etcd</c> selectable as registry (<c>--registry etcd</c>) and changes its options in code. Referencing the package alone already makes the name selectable,
    /// except under Native AOT.
    /// </summary>
    public static MicroBuilder AddEtcd(this MicroBuilder micro, Func<EtcdOptions, EtcdOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(micro);
        if (configure is not null)
        {
            micro.Configure(configure);
        }

        return micro.AddPlugin(new EtcdPlugin());
    }
}
