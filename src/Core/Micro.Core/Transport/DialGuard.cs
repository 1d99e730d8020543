using System.Net;
using System.Net.Sockets;
using Micro.Registry;

namespace Micro.Transport;

/// <summary>
/// The check every outgoing connection to a node passes: the address is <c>host:port</c> (<see cref="NodeAddress.IsValid"/>)
/// and what it resolves to is not link-local or a metadata address unless allowed. It runs after name resolution and
/// before the socket connects, so a DNS name pointing at 169.254.169.254 is refused too, and no packet is sent.
/// </summary>
public static class DialGuard
{
    /// <summary>Resolves <paramref name="address"/> to the endpoint to connect to, or throws the refusal.</summary>
    public static async ValueTask<IPEndPoint> ResolveAsync(string address, bool allowLinkLocal, CancellationToken cancellationToken)
    {
        if (!NodeAddress.IsValid(address, out var problem))
        {
            throw MicroException.BadRequest("go.micro.transport", "node address " + problem);
        }

        var endPoint = await Tcp.TcpAddress.ResolveAsync(address, cancellationToken).ConfigureAwait(false);
        return Check(address, endPoint, allowLinkLocal);
    }

    /// <summary>The endpoint when it may be dialled; otherwise the refusal.</summary>
    public static IPEndPoint Check(string address, IPEndPoint endPoint, bool allowLinkLocal)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        return allowLinkLocal || !NodeAddress.IsLinkLocal(endPoint.Address) ? endPoint : throw NodeAddress.LinkLocalRefused(address, endPoint.Address);
    }

    /// <summary>
    /// A <see cref="SocketsHttpHandler.ConnectCallback"/> that applies the same check to HTTP connections (the http
    /// transport, the dashboard's and the gateway's reverse proxy).
    /// </summary>
    public static Func<SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>> HttpConnect(bool allowLinkLocal)
        => async (context, cancellationToken) =>
        {
            var host = context.DnsEndPoint.Host;
            var address = (host.Contains(':', StringComparison.Ordinal) && !host.StartsWith('[') ? $"[{host}]" : host) + ":" + context.DnsEndPoint.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var endPoint = await ResolveAsync(address, allowLinkLocal, cancellationToken).ConfigureAwait(false);
            var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(endPoint, cancellationToken).ConfigureAwait(false);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        };
}
