namespace Micro.Transport;

/// <summary>
/// A transport whose messages go through a server of its own (NATS, RabbitMQ). Its nodes advertise that server in
/// their <c>transport_address</c> metadata, so a client configured for another transport, or for another server of the
/// same kind, still reaches them.
/// </summary>
public interface IServerTransport
{
    /// <summary>The server as a client dials it, without credentials: <c>nats://host:port</c>, <c>amqp://host:port</c>.</summary>
    string ServerAddress { get; }

    /// <summary>A server URL without its user info, path or query (what a node may advertise): <c>scheme://host:port</c>.</summary>
    /// <param name="url">The first of a comma-separated list is used.</param>
    /// <param name="defaultPort">The scheme's port when the URL names none.</param>
    public static string Advertised(string url, int defaultPort)
    {
        ArgumentNullException.ThrowIfNull(url);
        var first = url.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? "";
        return Uri.TryCreate(first, UriKind.Absolute, out var uri)
            ? $"{uri.Scheme}://{uri.Host}:{(uri.IsDefaultPort || uri.Port < 0 ? defaultPort : uri.Port)}"
            : first;
    }
}
