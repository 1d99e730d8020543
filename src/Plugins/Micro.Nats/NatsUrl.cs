namespace Micro.Nats;

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
