using Micro.Hosting;
using Micro.Nats;

// In this namespace so that `micro.AddNats()` is found where `services.AddMicro()` is.
namespace Microsoft.Extensions.DependencyInjection;

public static class NatsMicroBuilderExtensions
{
    /// <summary>
    /// Makes <c>nats</c> selectable as broker and transport (<c>--broker nats</c>, <c>--transport nats</c>) and changes
    /// its options in code. Referencing the package alone already makes the name selectable, except under Native AOT.
    /// </summary>
    public static MicroBuilder AddNats(this MicroBuilder micro, Func<NatsOptions, NatsOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(micro);
        if (configure is not null)
        {
            micro.Configure(configure);
        }

        return micro.AddPlugin(new NatsPlugin());
    }
}
