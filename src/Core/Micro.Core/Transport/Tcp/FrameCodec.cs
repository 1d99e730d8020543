using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Micro.Transport.Tcp;

/// <summary>
/// The tcp transport's framing. Every frame, big-endian:
/// <code>
/// u32 length (of everything after this field)
/// u8  type   (1 request, 2 response, 3 cancel, 4 stream open, 5 stream data, 6 stream end, 7 stream credit)
/// u32 id     (matches a response to its request)
/// u16 header count, then per header: u16 name length, name (UTF-8), u32 value length, value (UTF-8)
/// body       (the rest)
/// </code>
/// </summary>
internal static class FrameCodec
{
    public const int LengthSize = 4;
    public const int FixedSize = 1 + 4 + 2;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    // Header names every message carries: decoded without allocating a new string each time.
    private static readonly string[] KnownNames =
    [
        "Content-Type", "Accept", "Timeout", "Micro-Id", "Micro-Service", "Micro-Method", "Micro-Endpoint",
        "Micro-Error", "Micro-Stream", "Micro-From-Service", "Micro-Topic",
    ];

    private static readonly byte[][] KnownNameBytes = KnownNames.Select(Encoding.UTF8.GetBytes).ToArray();

    // Values that repeat on every call: content types.
    private static readonly string[] KnownValues = ["application/json", "application/protobuf", "application/octet-stream", "application/proto"];
    private static readonly byte[][] KnownValueBytes = KnownValues.Select(Encoding.UTF8.GetBytes).ToArray();

    /// <summary>Size of the whole frame on the wire, length prefix included.</summary>
    public static long MeasureFrame(Dictionary<string, string>? headers, int bodyLength)
    {
        return (long)LengthSize + FixedSize + bodyLength + HeaderBlock.Measure(headers);
    }

    /// <summary>Writes a frame whose total size <paramref name="frameSize"/> was measured by <see cref="MeasureFrame"/>.</summary>
    public static void Write(IBufferWriter<byte> writer, FrameType type, uint id, Dictionary<string, string>? headers, ReadOnlySpan<byte> body, int frameSize)
    {
        var headerBytes = frameSize - body.Length;
        var span = writer.GetSpan(headerBytes);
        BinaryPrimitives.WriteUInt32BigEndian(span, (uint)(frameSize - LengthSize));
        span[4] = (byte)type;
        BinaryPrimitives.WriteUInt32BigEndian(span[5..], id);
        BinaryPrimitives.WriteUInt16BigEndian(span[9..], (ushort)(headers?.Count ?? 0));
        var at = 11 + HeaderBlock.Write(span[11..], headers);

        writer.Advance(at);
        if (!body.IsEmpty)
        {
            writer.Write(body);
        }
    }

    /// <summary>
    /// Tries to take one frame off the front of <paramref name="buffer"/>. On <see cref="DecodeStatus.Complete"/> the buffer is
    /// advanced past it. On <see cref="DecodeStatus.Malformed"/> or <see cref="DecodeStatus.Oversized"/>, <paramref name="error"/>
    /// says why and <paramref name="frame"/> carries the frame's id when it could be read (to answer the sender).
    /// </summary>
    public static DecodeStatus TryDecode(ref ReadOnlySequence<byte> buffer, int maxMessageSize, out Frame frame, out string? error)
        => TryDecode(ref buffer, FrameLimits.Size(maxMessageSize), out frame, out error);

    /// <summary>
    /// As above, with header limits too: a frame whose headers break them is consumed and reported as
    /// <see cref="DecodeStatus.Refused"/> with its type and id, so the sender can be answered and the connection kept.
    /// </summary>
    public static DecodeStatus TryDecode(ref ReadOnlySequence<byte> buffer, FrameLimits limits, out Frame frame, out string? error)
    {
        var maxMessageSize = limits.MaxMessageSize;
        frame = default;
        error = null;
        if (buffer.Length < LengthSize)
        {
            return DecodeStatus.Incomplete;
        }

        var reader = new SequenceReader<byte>(buffer);
        reader.TryReadBigEndian(out int signedLength);
        var length = (uint)signedLength;
        if (length < FixedSize)
        {
            error = $"frame length {length} is shorter than the {FixedSize}-byte frame header";
            return DecodeStatus.Malformed;
        }

        if ((ulong)length + LengthSize > (ulong)maxMessageSize)
        {
            error = $"frame of {length + (ulong)LengthSize} bytes exceeds the maximum message size of {maxMessageSize} bytes";
            if (reader.Remaining >= 5 && reader.TryRead(out byte t) && reader.TryReadBigEndian(out int oid))
            {
                frame = new Frame((FrameType)t, (uint)oid, null, default);
            }

            return DecodeStatus.Oversized;
        }

        if (reader.Remaining < length)
        {
            return DecodeStatus.Incomplete;
        }

        var content = buffer.Slice(LengthSize, length);
        var status = Parse(content, limits, out frame, out error);
        if (status is DecodeStatus.Complete or DecodeStatus.Refused)
        {
            buffer = buffer.Slice(content.End);
        }

        return status;
    }

    private static DecodeStatus Parse(ReadOnlySequence<byte> content, FrameLimits limits, out Frame frame, out string? error)
    {
        frame = default;
        error = null;
        var reader = new SequenceReader<byte>(content);
        reader.TryRead(out byte typeByte);
        reader.TryReadBigEndian(out int id);
        reader.TryReadBigEndian(out short countSigned);
        var type = (FrameType)typeByte;
        if (type is < FrameType.Request or > FrameType.StreamCredit)
        {
            error = $"unknown frame type {typeByte}";
            return DecodeStatus.Malformed;
        }

        var count = (ushort)countSigned;
        if (count > limits.MaxHeaderCount)
        {
            frame = new Frame(type, (uint)id, null, default);
            error = $"message has {count} headers, over the limit of {limits.MaxHeaderCount}";
            return DecodeStatus.Refused;
        }

        Dictionary<string, string>? headers = null;
        long headerBytes = 0;
        if (count > 0)
        {
            // Sized by what the frame can really hold (a header takes at least 6 bytes), not by the count it claims.
            headers = TransportMessage.NewHeaders((int)Math.Min(count, (reader.Remaining / 6) + 1));
            for (var i = 0; i < count; i++)
            {
                if (!reader.TryReadBigEndian(out short nameLen) || reader.Remaining < (ushort)nameLen)
                {
                    error = $"header {i} name runs past the end of the frame";
                    return DecodeStatus.Malformed;
                }

                if (!TryReadString(ref reader, (ushort)nameLen, KnownNames, KnownNameBytes, out var name))
                {
                    error = $"header {i} name is not valid UTF-8";
                    return DecodeStatus.Malformed;
                }

                if (!reader.TryReadBigEndian(out int valueLen) || valueLen < 0 || reader.Remaining < valueLen)
                {
                    error = $"header '{name}' value runs past the end of the frame";
                    return DecodeStatus.Malformed;
                }

                headerBytes += (ushort)nameLen + (long)valueLen;
                if (headerBytes > limits.MaxHeaderBytes)
                {
                    frame = new Frame(type, (uint)id, null, default);
                    error = $"message headers exceed the limit of {limits.MaxHeaderBytes} bytes";
                    return DecodeStatus.Refused;
                }

                if (!TryReadString(ref reader, valueLen, KnownValues, KnownValueBytes, out var value))
                {
                    error = $"header '{name}' value is not valid UTF-8";
                    return DecodeStatus.Malformed;
                }

                headers[name] = value;
            }
        }

        var body = reader.Remaining == 0 ? ReadOnlyMemory<byte>.Empty : reader.UnreadSequence.ToArray();
        frame = new Frame(type, (uint)id, headers, body);
        return DecodeStatus.Complete;
    }

    private static bool TryReadString(ref SequenceReader<byte> reader, int length, string[] known, byte[][] knownBytes, out string value)
    {
        value = "";
        if (length == 0)
        {
            return true;
        }

        ReadOnlySpan<byte> bytes;
        byte[]? rented = null;
        if (reader.UnreadSpan.Length >= length)
        {
            bytes = reader.UnreadSpan[..length];
        }
        else
        {
            rented = ArrayPool<byte>.Shared.Rent(length);
            reader.Sequence.Slice(reader.Position, length).CopyTo(rented);
            bytes = rented.AsSpan(0, length);
        }

        try
        {
            for (var i = 0; i < knownBytes.Length; i++)
            {
                if (bytes.SequenceEqual(knownBytes[i]))
                {
                    value = known[i];
                    reader.Advance(length);
                    return true;
                }
            }

            value = StrictUtf8.GetString(bytes);
            reader.Advance(length);
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }
}
