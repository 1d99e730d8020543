namespace Micro.Transport;

/// <summary>
/// Flow control of one stream, both directions, shared by every streaming transport: the peer may send
/// <see cref="Messages"/> messages and <see cref="Bytes"/> bytes ahead of what this side has read, and is granted more
/// (a credit, in messages) once a quarter of either has been read. The sender keeps its side of the same rule: it waits
/// for credit, and for bytes in flight to fall under the window (one larger message may always go alone).
/// </summary>
internal sealed class StreamWindow
{
    /// <summary>Messages that may wait unread per stream.</summary>
    public const int Messages = 512;

    /// <summary>Bytes that may be in flight (sent, not yet read) per stream: 16 MiB.</summary>
    public const long Bytes = 16L * 1024 * 1024;

    private readonly SemaphoreSlim _credits = new(Messages, int.MaxValue);
    private readonly SemaphoreSlim _byteRoom = new(0, int.MaxValue);
    private readonly Queue<int> _unacknowledged = new(); // sizes of messages sent and not yet credited back
    private long _inFlightBytes;
    private long _bufferedBytes;
    private int _consumed;
    private long _consumedBytes;

    /// <summary>Sender: waits for a credit and for room for <paramref name="size"/> bytes in flight.</summary>
    public async ValueTask WaitToSendAsync(int size, CancellationToken cancellationToken)
    {
        await _credits.WaitAsync(cancellationToken).ConfigureAwait(false);
        while (!TryReserve(size))
        {
            await _byteRoom.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Sender: the peer granted <paramref name="messages"/> more (it read that many).</summary>
    public void Granted(long messages)
    {
        var n = (int)Math.Clamp(messages, 0, Messages);
        lock (_unacknowledged)
        {
            for (var i = 0; i < n && _unacknowledged.Count > 0; i++)
            {
                _inFlightBytes -= _unacknowledged.Dequeue();
            }
        }

        _credits.Release(n);
        _byteRoom.Release();
    }

    /// <summary>
    /// Receiver: a message of <paramref name="size"/> bytes arrived. False when the peer sent past the byte window
    /// (more than a window waiting before this one), which a sender keeping the rule never does.
    /// </summary>
    public bool Arrived(int size) => Interlocked.Add(ref _bufferedBytes, size) - size <= Bytes || size == 0;

    /// <summary>Receiver: one message of <paramref name="size"/> bytes was read; returns the credit to send now, or 0.</summary>
    public int Read(int size)
    {
        Interlocked.Add(ref _bufferedBytes, -size);
        _consumedBytes += size;
        if (++_consumed < Messages / 4 && _consumedBytes < Bytes / 4)
        {
            return 0;
        }

        var grant = _consumed;
        _consumed = 0;
        _consumedBytes = 0;
        return grant;
    }

    private bool TryReserve(int size)
    {
        lock (_unacknowledged)
        {
            if (_inFlightBytes > 0 && _inFlightBytes + size > Bytes)
            {
                return false;
            }

            _inFlightBytes += size;
            _unacknowledged.Enqueue(size);
            return true;
        }
    }
}
