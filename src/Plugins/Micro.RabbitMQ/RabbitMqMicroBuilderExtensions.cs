using Micro.Hosting;
using Micro.RabbitMQ;

// In this namespace so that `micro.AddRabbitMq()` is found where `services.AddMicro()` is.
namespace Microsoft.Extensions.DependencyInjection;

public static class RabbitMqMicroBuilderExtensions
{
    /// <summary>
    /// Makes <c>rabbitmq</c> selectable as broker and transport (<c>--broker rabbitmq</c>, <c>--transport rabbitmq</c>) and changes its options in code. Referencing the package alone already makes the name selectable,
    /// except under Native AOT.
    /// </summary>
    public static MicroBuilder AddRabbitMq(this MicroBuilder micro, Func<RabbitMqBrokerOptions, RabbitMqBrokerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(micro);
        if (configure is not null)
        {
            micro.Configure(configure);
        }

        return micro.AddPlugin(new RabbitMqPlugin());
    }
}
