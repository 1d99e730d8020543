using System.Threading.Channels;

namespace Micro.Transport;

/// <summary>
/// The one stream engine behind every transport's streams: the credit window (<see cref="StreamWindow"/>), the inbox
/// of messages not yet read (never more than a window), the end and error of each side, cancellation by either side,
/// and abort. Transports supply <see cref="IStreamFrames"/> and feed the peer's frames to <see cref="OnData"/>,
/// <see cref="OnEnd"/>, <see cref="OnCredit"/> and <see cref="OnCancel"/>.
/// </summary>
internal sealed class StreamEngine
{
    public const int Window = StreamWindow.Messages;

    private readonly IStreamFrames _frames;
    private readonly Action _forget;
    private readonly StreamWindow _window = new();
    private readonly Channel<ReadOnlyMemory<byte>> _inbox = Channel.CreateBounded<ReadOnlyMemory<byte>>(new BoundedChannelOptions(Window) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private readonly CancellationTokenSource _cancelled = new();
    private int _sentEnd;
    private volatile bool _remoteEnded;

    /// <param name="forget">Called once the stream is over (both sides ended, or aborted): the transport drops it from its table.</param>
    public StreamEngine(IStreamFrames frames, Action forget)
    {
        _frames = frames;
        _forget = forget;
    }

    /// <summary>Cancelled when the peer cancels, or the stream is aborted or disposed.</summary>
    public CancellationToken Cancelled => _cancelled.Token;

    public async ValueTask SendAsync(ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _cancelled.Token);
        try
        {
            await _window.WaitToSendAsync(body.Length, linked.Token).ConfigureAwait(false); // waits while the peer has no room
        }
        catch (OperationCanceledException) when (_cancelled.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException("the stream was cancelled by the other side", _cancelled.Token);
        }

        cancellationToken.ThrowIfCancellationRequested();
        await _frames.SendDataAsync(body, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask CompleteAsync(string? error)
    {
        if (Interlocked.Exchange(ref _sentEnd, 1) == 0)
        {
            await _frames.SendEndAsync(error).ConfigureAwait(false);
            if (_remoteEnded)
            {
                _forget();
            }
        }
    }

    public async ValueTask<ReadOnlyMemory<byte>?> ReceiveAsync(CancellationToken cancellationToken)
    {
        ReadOnlyMemory<byte> message;
        try
        {
            if (!await _inbox.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false) || !_inbox.Reader.TryRead(out message))
            {
                return null;
            }
        }
        catch (ChannelClosedException e) when (e.InnerException is MicroException error)
        {
            throw error;
        }

        // Grant the peer more room once a quarter of the window has been read (fewer grants, and the sender rarely waits).
        if (_window.Read(message.Length) is var grant and > 0)
        {
            await _frames.SendCreditAsync(grant).ConfigureAwait(false);
        }

        return message;
    }

    /// <summary>A data frame from the peer (must not block). Returns why the peer broke flow control, or null.</summary>
    public string? OnData(ReadOnlyMemory<byte> body)
    {
        if (!_window.Arrived(body.Length))
        {
            return $"sent more than {StreamWindow.Bytes} bytes its reader has not read";
        }

        return _inbox.Writer.TryWrite(body) ? null : $"sent more messages than its window of {Window}";
    }

    /// <summary>The peer's end; <paramref name="error"/> (error JSON) is what the reader gets after the last message.</summary>
    public void OnEnd(string? error)
    {
        _remoteEnded = true;
        _inbox.Writer.TryComplete(error is null ? null : MicroException.Parse(error));
        if (Volatile.Read(ref _sentEnd) == 1)
        {
            _forget();
        }
    }

    public void OnCredit(int messages)
    {
        if (messages > 0)
        {
            _window.Granted(messages);
        }
    }

    public void OnCancel() => Abort(new MicroException("go.micro.transport", 499, "stream cancelled by the other side"));

    /// <summary>Ends the stream locally: the reader sees <paramref name="error"/>, a waiting writer is released.</summary>
    public void Abort(MicroException error)
    {
        _inbox.Writer.TryComplete(error);
        try
        {
            _cancelled.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }

        _forget();
    }

    /// <summary>Leaving before both sides ended cancels the stream for the peer too.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!(_remoteEnded && Volatile.Read(ref _sentEnd) == 1))
        {
            try
            {
                await _frames.SendCancelAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The connection is already gone: the peer's end learns of it by itself.
            }
        }

        Abort(new MicroException("go.micro.transport", 499, "stream closed"));
    }
}
