namespace Micro.Transport.Tcp;

internal enum DecodeStatus
{
    /// <summary>Not enough bytes yet; read more.</summary>
    Incomplete,
    Complete,
    /// <summary>The bytes cannot be a frame; the connection must close.</summary>
    Malformed,
    /// <summary>The frame declares a size over the limit; the connection must close.</summary>
    Oversized,
    /// <summary>A whole frame, consumed, whose headers break a limit: answer its sender; the connection stays open.</summary>
    Refused,
}
