using Micro.Hosting;
using Micro.Consul;

// In this namespace so that `micro.AddConsul()` is found where `services.AddMicro()` is.
namespace Microsoft.Extensions.DependencyInjection;

public static class ConsulMicroBuilderExtensions
{
    /// <summary>
    /// Makes <c>consul</c> selectable as registry (<c>--registry consul</c>). Referencing the package alone already makes the name selectable,
    /// except under Native AOT.
    /// </summary>
    public static MicroBuilder AddConsul(this MicroBuilder micro)
    {
        ArgumentNullException.ThrowIfNull(micro);
        return micro.AddPlugin(new ConsulPlugin());
    }
}
