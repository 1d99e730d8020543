using Micro.Hosting;

[assembly: MicroPlugin(typeof(Micro.Nats.NatsPlugin))]

namespace Micro.Nats;

/// <summary>Adds <c>nats</c> as a broker and a transport name (found by configuration alone: <c>--broker nats</c>).</summary>
public sealed class NatsPlugin : IMicroPlugin
{
    public void Register(MicroPlugins plugins)
    {
        ArgumentNullException.ThrowIfNull(plugins);
        plugins.AddBroker("nats", c =>
        {
            var options = c.Options(configuration => NatsOptions.Read(configuration, "Micro:Broker:Nats"));
            return new NatsBroker(NatsUrl.From(c.Settings.BrokerAddress), c.LoggerFactory, c.Settings.ToBrokerTls(), options.Apply("micro-broker"));
        });
        plugins.AddTransport("nats", c =>
        {
            var options = c.Options(configuration => NatsOptions.Read(configuration, "Micro:Transport:Nats"));
            return new NatsTransport(NatsUrl.From(c.Settings.TransportAddress), c.TransportOptions, options.Apply("micro-transport"));
        });
    }
}
