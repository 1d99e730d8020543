using Micro.Hosting;
using Micro.Nats;

namespace Microsoft.Extensions.DependencyInjection; // found where services.AddMicro() is

/// <summary><c>micro.AddNats()</c>: names the plugin in code; referencing the package alone selects it by configuration, except under Native AOT.</summary>
public static class NatsMicroBuilderExtensions
{
    /// <summary>Makes <c>nats</c> selectable as broker and transport (<c>--broker nats</c>, <c>--transport nats</c>) and changes its options in code.</summary>
    public static MicroBuilder AddNats(this MicroBuilder micro, Func<NatsOptions, NatsOptions>? configure = null)
        => (micro ?? throw new ArgumentNullException(nameof(micro))).AddPlugin(new NatsPlugin(), configure);
}
