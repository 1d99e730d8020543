using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Micro.TestFixtures;

/// <summary>HTTP/1.1 as bytes on a socket: a request exactly as a go-micro peer writes it, and the reply as it comes.</summary>
public static class RawHttp
{
    /// <summary>Sends <paramref name="headers"/> (with <c>{length}</c> replaced by the body's length) and the body; returns the reply's head and body.</summary>
    public static async Task<(string Head, byte[] Body)> SendAsync(string address, string headers, byte[] body)
    {
        var (host, port) = Micro.Transport.Tcp.TcpAddress.Split(address);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Parse(host), port);
        await socket.SendAsync(Encoding.ASCII.GetBytes(headers.Replace("{length}", body.Length.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)).Concat(body).ToArray());
        return await ReadMessageAsync(socket);
    }

    /// <summary>Reads one HTTP message with a Content-Length (or none) from the socket.</summary>
    public static async Task<(string Head, byte[] Body)> ReadMessageAsync(Socket socket)
    {
        ArgumentNullException.ThrowIfNull(socket);
        var buffer = new List<byte>();
        var chunk = new byte[4096];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (true)
        {
            var text = Encoding.ASCII.GetString(buffer.ToArray());
            var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (end >= 0)
            {
                var head = text[..end];
                var lengthLine = head.Split("\r\n").FirstOrDefault(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase));
                var length = lengthLine is null ? 0 : int.Parse(lengthLine[15..].Trim(), CultureInfo.InvariantCulture);
                if (buffer.Count >= end + 4 + length)
                {
                    return (head, buffer.Skip(end + 4).Take(length).ToArray());
                }
            }

            var n = await socket.ReceiveAsync(chunk, timeout.Token);
            if (n == 0)
            {
                throw new IOException("connection closed before a whole HTTP message arrived");
            }

            buffer.AddRange(chunk[..n]);
        }
    }

    /// <summary>A netstring as go-micro's proto-rpc codec writes one: a 4-byte big-endian length, then the bytes.</summary>
    public static byte[] NetString(byte[] data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var result = new byte[4 + data.Length];
        BinaryPrimitives.WriteUInt32BigEndian(result, (uint)data.Length);
        data.CopyTo(result, 4);
        return result;
    }
}
