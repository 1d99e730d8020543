using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
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

    /// <summary>
    /// Registers a message's parser. Generated .proto contracts do this for their messages at load, so decoding needs no
    /// reflection (trimmed and Native AOT apps); other messages are found through their static <c>Parser</c> property.
    /// </summary>
    public static void Register<T>(MessageParser<T> parser) where T : IMessage<T>
    {
        ArgumentNullException.ThrowIfNull(parser);
        Registered[typeof(T)] = parser;
    }

    private static readonly ConcurrentDictionary<Type, MessageParser> Registered = new();

    public T Decode<T>(ReadOnlyMemory<byte> data)
    {
        var parser = ParserFor<T>();
        try
        {
            return (T)parser.ParseFrom(data.Span);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw MicroException.BadRequest("go.micro.codec", $"invalid protobuf for {typeof(T).Name}: {e.Message}");
        }
    }

    /// <summary>The parser of message type <typeparamref name="T"/>: registered, else its static <c>Parser</c>.</summary>
    internal static MessageParser ParserFor<T>()
        => (Registered.TryGetValue(typeof(T), out var registered) ? registered : ParserCache<T>.Parser)
           ?? throw MicroException.BadRequest("go.micro.codec", $"{typeof(T).Name} is not a protobuf message (or, in a trimmed build, its parser was not registered with ProtobufCodec.Register); send application/json instead");

    private static class ParserCache<T>
    {
        // Generated messages expose `static MessageParser<T> Parser`; found once per type. If trimming removed it, Parser
        // is null and Decode says the type is not a usable message, which registering its parser fixes.
        public static readonly MessageParser? Parser = Find();

        [UnconditionalSuppressMessage("Trimming", "IL2090", Justification = "Fallback for messages not registered; a trimmed-away Parser gives a clear error, not wrong data.")]
        private static MessageParser? Find()
            => typeof(IMessage).IsAssignableFrom(typeof(T))
                ? typeof(T).GetProperty("Parser", BindingFlags.Public | BindingFlags.Static)?.GetValue(null) as MessageParser
                : null;
    }
}
