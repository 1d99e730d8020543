using Micro.Hosting;

[assembly: MicroPlugin(typeof(Micro.Nats.NatsPlugin))]

namespace Micro.Nats;

/// <summary>Adds <c>nats</c> as a broker and a transport name (found by configuration alone: <c>--broker nats</c>).</summary>
public sealed class NatsPlugin : IMicroPlugin
{
    public void Register(MicroPlugins plugins)
    {
        plugins.AddBroker("nats", (settings, loggers, _) => new NatsBroker(NatsUrl.From(settings.BrokerAddress), loggers, settings.ToBrokerTls()));
        plugins.AddTransport("nats", (settings, loggers) => new NatsTransport(NatsUrl.From(settings.TransportAddress), settings.ToTransportOptions() with { LoggerFactory = loggers }));
    }
}

/// <summary>Turns <c>--broker_address</c> values (<c>host:port</c>, comma-separated, or URLs) into a NATS URL list.</summary>
public static class NatsUrl
{
    public const string Default = "nats://127.0.0.1:4222";

    public static string From(string? address)
        => string.IsNullOrWhiteSpace(address)
            ? Default
            : string.Join(",", address.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(a => a.Contains("://", StringComparison.Ordinal) ? a : "nats://" + a));
}
