namespace Micro.RabbitMQ;

/// <summary>Turns <c>--broker_address</c> values (<c>host:port</c> or <c>amqp://</c> URLs) into an AMQP URL.</summary>
public static class RabbitMqUrl
{
    public const string Default = "amqp://guest:guest@127.0.0.1:5672/";

    public static string From(string? address)
    {
        if (string.IsNullOrWhiteSpace(address))
        {
            return Default;
        }

        var first = address.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[0];
        return first.Contains("://", StringComparison.Ordinal) ? first : $"amqp://guest:guest@{first}/";
    }
}
