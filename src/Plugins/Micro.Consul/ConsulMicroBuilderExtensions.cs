using Micro.Hosting;
using Micro.Consul;

namespace Microsoft.Extensions.DependencyInjection; // found where services.AddMicro() is

/// <summary><c>micro.AddConsul()</c>: names the plugin in code; referencing the package alone selects it by configuration, except under Native AOT.</summary>
public static class ConsulMicroBuilderExtensions
{
    /// <summary>Makes <c>consul</c> selectable as registry (<c>--registry consul</c>).</summary>
    public static MicroBuilder AddConsul(this MicroBuilder micro)
        => (micro ?? throw new ArgumentNullException(nameof(micro))).AddPlugin(new ConsulPlugin());
}
