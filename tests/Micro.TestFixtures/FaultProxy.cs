using System.Net;
using System.Net.Sockets;

namespace Micro.TestFixtures;

/// <summary>What a <see cref="FaultProxy"/> does to the traffic it carries.</summary>
public enum Fault
{
    /// <summary>Forwards everything.</summary>
    None,

    /// <summary>Holds every chunk for <see cref="FaultProxy.Delay"/> before forwarding it.</summary>
    Delay,

    /// <summary>Closes every connection (open ones and new ones) at once.</summary>
    Drop,

    /// <summary>Accepts and reads but never answers: a hung peer.</summary>
    Blackhole,

    /// <summary>Forwards the first <see cref="FaultProxy.TruncateAfter"/> bytes of the next reply chunk, then closes: a cut frame.</summary>
    Truncate,
}

/// <summary>
/// A TCP proxy on 127.0.0.1 that injects faults between a client and a server (as NATS.Net's tests do): a node
/// registers the proxy's address (<c>Advertise</c>), so its callers go through it. Counts what it did.
/// </summary>
public sealed class FaultProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<(Socket Client, Socket Server)> _open = [];
    private readonly Task _accepting;
    private volatile Fault _fault;

    public FaultProxy(string target)
    {
        Target = target;
        _listener.Start();
        Address = $"127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";
        _accepting = AcceptLoopAsync();
    }

    /// <summary>Where callers connect.</summary>
    public string Address { get; }

    /// <summary>Where traffic goes (host:port).</summary>
    public string Target { get; set; }

    public TimeSpan Delay { get; set; } = TimeSpan.FromMilliseconds(200);

    public int TruncateAfter { get; set; } = 7;

    public long Connections;
    public long Dropped;
    public long Truncated;

    /// <summary>The fault from now on; <see cref="Fault.Drop"/> also closes every open connection.</summary>
    public Fault Fault
    {
        get => _fault;
        set
        {
            _fault = value;
            if (value == Fault.Drop)
            {
                CloseAll();
            }
        }
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            Interlocked.Increment(ref Connections);
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(Socket client)
    {
        if (_fault == Fault.Drop)
        {
            Interlocked.Increment(ref Dropped);
            client.Dispose();
            return;
        }

        var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        client.NoDelay = true;
        try
        {
            var colon = Target.LastIndexOf(':');
            await server.ConnectAsync(IPAddress.Parse(Target[..colon]), int.Parse(Target[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture), _stop.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            client.Dispose();
            server.Dispose();
            return;
        }

        lock (_open)
        {
            _open.Add((client, server));
        }

        try
        {
            await Task.WhenAny(PumpAsync(client, server, towardsServer: true), PumpAsync(server, client, towardsServer: false)).ConfigureAwait(false);
        }
        finally
        {
            lock (_open)
            {
                _open.Remove((client, server));
            }

            client.Dispose();
            server.Dispose();
        }
    }

    private async Task PumpAsync(Socket from, Socket to, bool towardsServer)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var read = await from.ReceiveAsync(buffer, SocketFlags.None, _stop.Token).ConfigureAwait(false);
                if (read == 0)
                {
                    return;
                }

                switch (_fault)
                {
                    case Fault.Blackhole:
                        continue; // swallowed: the peer waits forever
                    case Fault.Drop:
                        Interlocked.Increment(ref Dropped);
                        return;
                    case Fault.Delay:
                        await Task.Delay(Delay, _stop.Token).ConfigureAwait(false);
                        break;
                    case Fault.Truncate when !towardsServer:
                        await to.SendAsync(buffer.AsMemory(0, Math.Min(read, TruncateAfter)), SocketFlags.None, _stop.Token).ConfigureAwait(false);
                        Interlocked.Increment(ref Truncated);
                        return;
                }

                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, _stop.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    private void CloseAll()
    {
        lock (_open)
        {
            foreach (var (client, server) in _open)
            {
                Interlocked.Increment(ref Dropped);
                client.Dispose();
                server.Dispose();
            }

            _open.Clear();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        CloseAll();
        await _accepting.ConfigureAwait(false);
        _stop.Dispose();
    }
}
