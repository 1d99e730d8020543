using Micro.Transport;

namespace Micro.Tests;

/// <summary>
/// A peer that sends past its window (a broken or hostile client or service) is refused, never buffered: the engine
/// says why, and the transports end the stream (tcp closes the connection, message transports abort the stream).
/// </summary>
public sealed class StreamFlowControlTests
{
    [Fact]
    public void More_messages_than_the_window_before_any_is_read_is_a_violation_saying_so()
    {
        var engine = new StreamEngine(new SilentFrames(), () => { });
        for (var i = 0; i < StreamEngine.Window; i++)
        {
            Assert.Null(engine.OnData(new byte[] { 1 }));
        }

        Assert.Equal($"sent more messages than its window of {StreamEngine.Window}", engine.OnData(new byte[] { 1 }));
    }

    [Fact]
    public void A_message_arriving_behind_more_than_a_window_of_unread_bytes_is_a_violation_saying_so()
    {
        var engine = new StreamEngine(new SilentFrames(), () => { });
        Assert.Null(engine.OnData(new byte[StreamWindow.Bytes / 2]));
        Assert.Null(engine.OnData(new byte[(StreamWindow.Bytes / 2) + 1])); // the window was not full before it: it may go
        Assert.Equal($"sent more than {StreamWindow.Bytes} bytes its reader has not read", engine.OnData(new byte[] { 1 }));
    }

    [Fact]
    public async Task Reading_makes_room_again_and_a_grant_goes_back_to_the_peer()
    {
        var frames = new SilentFrames();
        var engine = new StreamEngine(frames, () => { });
        for (var i = 0; i < StreamEngine.Window; i++)
        {
            Assert.Null(engine.OnData(new byte[] { 1 }));
        }

        for (var i = 0; i < StreamEngine.Window / 4; i++)
        {
            Assert.NotNull(await engine.ReceiveAsync(CancellationToken.None));
        }

        Assert.True(frames.Granted >= StreamEngine.Window / 4, $"granted {frames.Granted} after {StreamEngine.Window / 4} reads");
        Assert.Null(engine.OnData(new byte[] { 1 })); // room that was read is room again
    }

    /// <summary>Frames to nowhere; counts the credit granted back.</summary>
    private sealed class SilentFrames : IStreamFrames
    {
        public int Granted { get; private set; }

        public ValueTask SendDataAsync(ReadOnlyMemory<byte> body, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public ValueTask SendEndAsync(string? error) => ValueTask.CompletedTask;

        public ValueTask SendCreditAsync(int messages)
        {
            Granted += messages;
            return ValueTask.CompletedTask;
        }

        public ValueTask SendCancelAsync() => ValueTask.CompletedTask;
    }
}
