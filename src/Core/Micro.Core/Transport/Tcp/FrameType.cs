namespace Micro.Transport.Tcp;

/// <summary>The kinds of frame on a tcp connection. Values are wire values.</summary>
internal enum FrameType : byte
{
    Request = 1,
    Response = 2,
    /// <summary>The client abandoned request or stream <c>id</c>: the server cancels its handler.</summary>
    Cancel = 3,
    /// <summary>Opens stream <c>id</c>; headers say what is called.</summary>
    StreamOpen = 4,
    /// <summary>One message of stream <c>id</c>.</summary>
    StreamData = 5,
    /// <summary>The sender has no more messages on stream <c>id</c>; a <c>Micro-Error</c> header fails the stream.</summary>
    StreamEnd = 6,
    /// <summary>The receiver has room for more: body = u32 messages.</summary>
    StreamCredit = 7,
}
