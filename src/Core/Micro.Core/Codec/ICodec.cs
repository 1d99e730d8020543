namespace Micro.Codec;

/// <summary>Turns messages into bytes and back for one content type.</summary>
public interface ICodec
{
    /// <summary>The content type this codec is chosen by, e.g. <c>application/json</c>.</summary>
    string ContentType { get; }

    ReadOnlyMemory<byte> Encode<T>(T value);

    /// <summary>Decodes a message; malformed input throws a 400 <see cref="MicroException"/> saying what was wrong.</summary>
    T Decode<T>(ReadOnlyMemory<byte> data);
}
