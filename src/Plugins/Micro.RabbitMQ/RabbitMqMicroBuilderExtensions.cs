using Micro.Hosting;
using Micro.RabbitMQ;

namespace Microsoft.Extensions.DependencyInjection; // found where services.AddMicro() is

/// <summary><c>micro.AddRabbitMq()</c>: names the plugin in code; referencing the package alone selects it by configuration, except under Native AOT.</summary>
public static class RabbitMqMicroBuilderExtensions
{
    /// <summary>Makes <c>rabbitmq</c> selectable as broker and transport (<c>--broker rabbitmq</c>, <c>--transport rabbitmq</c>) and changes its options in code.</summary>
    public static MicroBuilder AddRabbitMq(this MicroBuilder micro, Func<RabbitMqBrokerOptions, RabbitMqBrokerOptions>? configure = null)
        => (micro ?? throw new ArgumentNullException(nameof(micro))).AddPlugin(new RabbitMqPlugin(), configure);
}
