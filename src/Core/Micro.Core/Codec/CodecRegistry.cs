namespace Micro.Codec;

/// <summary>
/// The codecs a client or server speaks, found by content type (parameters such as charset are ignored). Fixed once
/// made: add a codec of your own with <c>micro.AddCodec(codec)</c> (or <c>new CodecRegistry([.. Defaults(), codec])</c>),
/// never by changing the shared <see cref="Default"/>.
/// </summary>
public sealed class CodecRegistry
{
    private readonly Dictionary<string, ICodec> _codecs = new(StringComparer.OrdinalIgnoreCase);

    /// <param name="codecs">The codecs, later ones winning a content type; null: <see cref="Defaults"/>.</param>
    public CodecRegistry(IEnumerable<ICodec>? codecs = null)
    {
        foreach (var codec in codecs ?? Defaults())
        {
            Register(codec);
        }
    }

    /// <summary>JSON, protobuf and raw bytes (what every Micro process speaks).</summary>
    public static CodecRegistry Default { get; } = new();

    public IEnumerable<string> ContentTypes => _codecs.Keys;

    public static IEnumerable<ICodec> Defaults() => [new JsonCodec(), new ProtobufCodec(), new BytesCodec()];

    private void Register(ICodec codec)
    {
        ArgumentNullException.ThrowIfNull(codec);
        _codecs[codec.ContentType] = codec;

        // Enveloped types (RpcEnvelope) carry JSON or protobuf inside.
        if (codec is ProtobufCodec)
        {
            _codecs.TryAdd("application/x-protobuf", codec);
            _codecs.TryAdd("application/proto", codec);
            _codecs.TryAdd(RpcEnvelope.ProtoRpc.ContentType, codec);
        }

        if (codec is JsonCodec)
        {
            _codecs.TryAdd("text/json", codec);
            _codecs.TryAdd(RpcEnvelope.JsonRpc.ContentType, codec);
        }
    }

    public bool TryGet(string? contentType, out ICodec codec)
    {
        if (string.IsNullOrEmpty(contentType))
        {
            codec = null!;
            return false;
        }

        if (_codecs.TryGetValue(contentType, out codec!))
        {
            return true;
        }

        var semicolon = contentType.IndexOf(';');
        return semicolon > 0 && _codecs.TryGetValue(contentType[..semicolon].Trim(), out codec!);
    }

    /// <summary>The codec for a content type, or a 400 error naming the types that are supported.</summary>
    public ICodec Get(string? contentType)
        => TryGet(contentType, out var codec)
            ? codec
            : throw MicroException.BadRequest("go.micro.codec", $"unsupported content type '{contentType}'; supported: {string.Join(", ", _codecs.Keys.Order())}");
}
