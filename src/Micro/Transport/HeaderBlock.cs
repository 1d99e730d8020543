using System.Buffers.Binary;
using System.Text;

namespace Micro.Transport;

/// <summary>
/// Headers as bytes, the same on the tcp transport's frames and the http transport's stream messages: each pair is a
/// u16 big-endian key length, the UTF-8 key, a u32 big-endian value length, the UTF-8 value (the count is the caller's).
/// </summary>
internal static class HeaderBlock
{
    public static int Measure(Dictionary<string, string>? headers)
    {
        var size = 0;
        if (headers is not null)
        {
            foreach (var (k, v) in headers)
            {
                size += 2 + Encoding.UTF8.GetByteCount(k) + 4 + Encoding.UTF8.GetByteCount(v);
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
