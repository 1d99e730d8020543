namespace Micro.Codec;

/// <summary>Raw bytes (<c>application/octet-stream</c>): messages of type <c>byte[]</c> or <c>ReadOnlyMemory&lt;byte&gt;</c>.</summary>
public sealed class BytesCodec : ICodec
{
    public const string MediaType = "application/octet-stream";

    public string ContentType => MediaType;

    public ReadOnlyMemory<byte> Encode<T>(T value) => value switch
    {
        byte[] bytes => bytes,
        ReadOnlyMemory<byte> memory => memory,
        Memory<byte> memory => memory,
        null => ReadOnlyMemory<byte>.Empty,
        _ => throw MicroException.BadRequest("go.micro.codec", $"{typeof(T).Name} cannot be sent as application/octet-stream; use byte[]"),
    };

    public T Decode<T>(ReadOnlyMemory<byte> data)
    {
        if (typeof(T) == typeof(byte[]))
        {
            return (T)(object)data.ToArray();
        }

        if (typeof(T) == typeof(ReadOnlyMemory<byte>))
        {
            return (T)(object)data;
        }

        throw MicroException.BadRequest("go.micro.codec", $"application/octet-stream can only be read as byte[], not {typeof(T).Name}");
    }
}
