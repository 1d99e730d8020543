using System.Buffers.Binary;
using System.Text;

namespace Micro.Transport;

/// <summary>
/// Headers as bytes, the same on the tcp transport's frames and the http transport's stream messages: each pair is a
/// u16 big-endian key length, the UTF-8 key, a u32 big-endian value length, the UTF-8 value (the count is the caller's).
/// </summary>
internal static class HeaderBlock
{
    /// <summary>
    /// The bytes the pairs take. What the format cannot hold (more than 65,535 headers, a name over 65,535 bytes) is a
    /// 400 here, before anything is written: a truncated length would desynchronise the frame, and its bytes would be
    /// read as other headers.
    /// </summary>
    public static int Measure(Dictionary<string, string>? headers)
    {
        var size = 0;
        if (headers is not null)
        {
            if (headers.Count > ushort.MaxValue)
            {
                throw MicroException.BadRequest("go.micro.transport", $"{headers.Count} headers cannot be sent: a message carries at most {ushort.MaxValue}");
            }

            foreach (var (k, v) in headers)
            {
                var name = Encoding.UTF8.GetByteCount(k);
                if (name > ushort.MaxValue)
                {
                    throw MicroException.BadRequest("go.micro.transport", $"a header name of {name} bytes cannot be sent: names are at most {ushort.MaxValue} bytes");
                }

                size += 2 + name + 4 + Encoding.UTF8.GetByteCount(v);
            }
        }

        return size;
    }

    /// <summary>Writes the pairs into <paramref name="span"/> (sized by <see cref="Measure"/>) and returns the bytes written.</summary>
    public static int Write(Span<byte> span, Dictionary<string, string>? headers)
    {
        var at = 0;
        if (headers is not null)
        {
            foreach (var (k, v) in headers)
            {
                var n = Encoding.UTF8.GetBytes(k, span[(at + 2)..]);
                BinaryPrimitives.WriteUInt16BigEndian(span[at..], (ushort)n);
                at += 2 + n;
                n = Encoding.UTF8.GetBytes(v, span[(at + 4)..]);
                BinaryPrimitives.WriteUInt32BigEndian(span[at..], (uint)n);
                at += 4 + n;
            }
        }

        return at;
    }
}
