using Micro.Hosting;

[assembly: MicroPlugin(typeof(Micro.RabbitMQ.RabbitMqPlugin))]

namespace Micro.RabbitMQ;

/// <summary>Adds <c>rabbitmq</c> as a broker and a transport name (<c>--broker rabbitmq</c>, <c>--transport rabbitmq</c>).</summary>
public sealed class RabbitMqPlugin : IMicroPlugin
{
    public void Register(MicroPlugins plugins)
    {
        ArgumentNullException.ThrowIfNull(plugins);
        plugins.AddBroker("rabbitmq", c => new RabbitMqBroker(
            c.Options(configuration => RabbitMqBrokerOptions.Read(configuration) with { Url = RabbitMqUrl.From(c.Settings.BrokerAddress), Tls = c.Settings.ToBrokerTls() }),
            c.LoggerFactory));
        plugins.AddTransport("rabbitmq", c => new RabbitMqTransport(RabbitMqUrl.From(c.Settings.TransportAddress), c.TransportOptions));
    }
}
