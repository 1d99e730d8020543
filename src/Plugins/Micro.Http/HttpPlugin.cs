using Micro.Broker;
using Micro.Hosting;
using Micro.Transport.Http;

[assembly: MicroPlugin(typeof(Micro.Http.HttpPlugin))]

namespace Micro.Http;

/// <summary>
/// Adds <c>http</c> as a transport and a broker name (go-micro's default broker). Its own package so that the core
/// loads no ASP.NET Core: the <c>Micro</c> package brings it, an app on <c>Micro.Core</c> alone goes without.
/// </summary>
public sealed class HttpPlugin : IMicroPlugin
{
    public void Register(MicroPlugins plugins)
    {
        ArgumentNullException.ThrowIfNull(plugins);
        plugins.AddTransport("http", c => new HttpTransport(c.TransportOptions));
        plugins.AddBroker("http", c => new HttpBroker(c.Registry, c.Settings.BrokerAddress, c.Settings.RegisterTtl, c.Settings.RegisterInterval, c.LoggerFactory,
            secret: c.Settings.BrokerHttpSecret, allowLinkLocal: c.Settings.AllowLinkLocal));
    }
}
