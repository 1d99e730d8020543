using Micro.Hosting;

namespace Micro.RabbitMQ;

/// <summary>RabbitMQ broker settings (go-micro's options). Immutable; change with <c>with { ... }</c>.</summary>
public sealed record RabbitMqBrokerOptions
{
    public static RabbitMqBrokerOptions Default { get; } = new();

    public string Url { get; init; } = RabbitMqUrl.Default;

    /// <summary>The topic exchange every message goes through (go-micro: <c>micro</c>).</summary>
    public string Exchange { get; init; } = "micro";

    /// <summary>Declare the exchange durable so it survives a broker restart. go-micro's default is false; a go-micro
    /// service and this one must agree, since RabbitMQ refuses a redeclaration with other settings.</summary>
    public bool DurableExchange { get; init; }

    /// <summary>TLS to the server (client certificate and CA; <c>--broker_tls_*</c>); null: plain, or the system's roots for <c>amqps://</c>.</summary>
    public Micro.Transport.TransportTls? Tls { get; init; }

    /// <summary>Publish with confirmations: a publish returns once RabbitMQ has the message.</summary>
    public bool PublisherConfirms { get; init; } = true;

    /// <summary>
    /// The options in <c>Micro:Broker:RabbitMQ</c> (<c>Exchange</c>, <c>DurableExchange</c>, <c>PublisherConfirms</c>);
    /// the server and TLS come from <c>--broker_address</c> and <c>--broker_tls_*</c>.
    /// </summary>
    public static RabbitMqBrokerOptions Read(Microsoft.Extensions.Configuration.IConfiguration? configuration)
    {
        var section = configuration?.GetSection("Micro:Broker:RabbitMQ");
        var options = Default;
        if (section?["Exchange"] is { Length: > 0 } exchange)
        {
            options = options with { Exchange = exchange };
        }

        if (section?["DurableExchange"] is { Length: > 0 } durable)
        {
            options = options with { DurableExchange = MicroFlags.ParseSwitch(durable, "Micro:Broker:RabbitMQ:DurableExchange") };
        }

        if (section?["PublisherConfirms"] is { Length: > 0 } confirms)
        {
            options = options with { PublisherConfirms = MicroFlags.ParseSwitch(confirms, "Micro:Broker:RabbitMQ:PublisherConfirms") };
        }

        return options;
    }
}
