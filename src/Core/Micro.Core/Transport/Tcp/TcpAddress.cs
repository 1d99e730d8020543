using System.Net;
using System.Net.Sockets;

namespace Micro.Transport.Tcp;

/// <summary>Parses <c>host:port</c> addresses (IPv6 in brackets) into endpoints.</summary>
public static class TcpAddress
{
    public static (string Host, int Port) Split(string address)
    {
        if (string.IsNullOrWhiteSpace(address))
        {
            throw new ArgumentException("An address must be host:port; it was empty.", nameof(address));
        }

        var colon = address.LastIndexOf(':');
        if (colon < 0 || !int.TryParse(address.AsSpan(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port) || port > 65535)
        {
            throw new ArgumentException($"Address '{address}' is not host:port.", nameof(address));
        }

        var host = address[..colon];
        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            host = host[1..^1];
        }

        return (host, port);
    }

    public static async ValueTask<IPEndPoint> ResolveAsync(string address, CancellationToken cancellationToken = default)
    {
        var (host, port) = Split(address);
        if (host.Length == 0)
        {
            return new IPEndPoint(IPAddress.Loopback, port);
        }

        if (IPAddress.TryParse(host, out var ip))
        {
            return new IPEndPoint(ip, port);
        }

        var addresses = await Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false);
        var chosen = addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? addresses.FirstOrDefault()
            ?? throw new MicroException("go.micro.transport", 500, $"dial tcp {address}: host not found") { IsTransportError = true };
        return new IPEndPoint(chosen, port);
    }

    public static string Format(IPEndPoint endPoint)
        => endPoint.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{endPoint.Address}]:{endPoint.Port}" : $"{endPoint.Address}:{endPoint.Port}";
}
