using System.Reflection;
using Google.Protobuf;

namespace Micro.Codec;

/// <summary>Protocol Buffers for Google.Protobuf messages (<see cref="IMessage"/>).</summary>
public sealed class ProtobufCodec : ICodec
{
    public const string MediaType = "application/protobuf";

    public string ContentType => MediaType;

    public ReadOnlyMemory<byte> Encode<T>(T value) => value switch
    {
        IMessage message => message.ToByteArray(),
        null => ReadOnlyMemory<byte>.Empty,
        _ => throw MicroException.BadRequest("go.micro.codec", $"{typeof(T).Name} is not a protobuf message; use application/json for it"),
    };

    public T Decode<T>(ReadOnlyMemory<byte> data)
    {
        var parser = ParserCache<T>.Parser ?? throw MicroException.BadRequest("go.micro.codec", $"{typeof(T).Name} is not a protobuf message; send application/json instead");
        try
        {
            return (T)parser.ParseFrom(data.Span);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw MicroException.BadRequest("go.micro.codec", $"invalid protobuf for {typeof(T).Name}: {e.Message}");
        }
    }

    private static class ParserCache<T>
    {
        // Generated messages expose `static MessageParser<T> Parser`; found once per type.
        public static readonly MessageParser? Parser =
            typeof(IMessage).IsAssignableFrom(typeof(T))
                ? typeof(T).GetProperty("Parser", BindingFlags.Public | BindingFlags.Static)?.GetValue(null) as MessageParser
                : null;
    }
}
