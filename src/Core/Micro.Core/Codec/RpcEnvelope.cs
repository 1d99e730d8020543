using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using Google.Protobuf;

namespace Micro.Codec;

/// <summary>
/// Content types that wrap each message in an envelope of their own: go-micro's <c>application/json-rpc</c>
/// (<c>{"method":..,"params":[req],"id":..}</c> / <c>{"id":..,"result":..,"error":..}</c>) and <c>application/proto-rpc</c>
/// (a length-prefixed protobuf header <c>{service_method, seq[, error]}</c>, then the length-prefixed body).
/// The inner message uses JSON or protobuf respectively.
/// </summary>
public abstract class RpcEnvelope
{
    public static RpcEnvelope JsonRpc { get; } = new JsonRpcEnvelope();

    public static RpcEnvelope ProtoRpc { get; } = new ProtoRpcEnvelope();

    public abstract string ContentType { get; }

    /// <summary>The content type of the message inside the envelope.</summary>
    public abstract string InnerContentType { get; }

    /// <summary>The envelope of a content type, or null. Runs on every request and call attempt, so it does not allocate.</summary>
    public static RpcEnvelope? For(string? contentType)
    {
        if (contentType is null)
        {
            return null;
        }

        var type = contentType.AsSpan();
        var semicolon = type.IndexOf(';');
        type = (semicolon >= 0 ? type[..semicolon] : type).Trim();
        return type.Equals(JsonRpc.ContentType, StringComparison.OrdinalIgnoreCase) ? JsonRpc
            : type.Equals(ProtoRpc.ContentType, StringComparison.OrdinalIgnoreCase) ? ProtoRpc
            : null;
    }

    public abstract ReadOnlyMemory<byte> WrapRequest(string method, ulong id, ReadOnlyMemory<byte> inner);

    /// <summary>Opens a request; a malformed envelope throws a 400 <see cref="MicroException"/>.</summary>
    public abstract RpcRequestEnvelope UnwrapRequest(ReadOnlyMemory<byte> body);

    public abstract ReadOnlyMemory<byte> WrapResponse(RpcRequestEnvelope request, ReadOnlyMemory<byte> inner, string? error);

    public abstract (ReadOnlyMemory<byte> Inner, string? Error) UnwrapResponse(ReadOnlyMemory<byte> body);

    private sealed class JsonRpcEnvelope : RpcEnvelope
    {
        public override string ContentType => "application/json-rpc";

        public override string InnerContentType => JsonCodec.MediaType;

        // Go's json.Encoder ends each value with a newline; kept so the bytes match a Go peer's.
        public override ReadOnlyMemory<byte> WrapRequest(string method, ulong id, ReadOnlyMemory<byte> inner)
            => Encoding.UTF8.GetBytes($"{{\"method\":{JsonSerializer.Serialize(method, ErrorJsonContext.Default.String)},\"params\":[{Inner(inner)}],\"id\":{id}}}\n");

        public override RpcRequestEnvelope UnwrapRequest(ReadOnlyMemory<byte> body)
        {
            try
            {
                using var doc = JsonDocument.Parse(body);
                var root = doc.RootElement;
                var method = root.TryGetProperty("method", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString()! : "";
                var id = root.TryGetProperty("id", out var i) ? i.GetRawText() : "null";
                var inner = root.TryGetProperty("params", out var p) && p.ValueKind == JsonValueKind.Array && p.GetArrayLength() > 0
                    ? Encoding.UTF8.GetBytes(p[0].GetRawText())
                    : "{}"u8.ToArray();
                return new RpcRequestEnvelope(method, id, ulong.TryParse(id, out var seq) ? seq : 0, inner);
            }
            catch (Exception e) when (e is JsonException or InvalidOperationException)
            {
                // InvalidOperationException: a string that is not valid UTF-8 (JsonDocument checks it only when read).
                throw MicroException.BadRequest("go.micro.codec", $"invalid json-rpc request: {e.Message}");
            }
        }

        public override ReadOnlyMemory<byte> WrapResponse(RpcRequestEnvelope request, ReadOnlyMemory<byte> inner, string? error)
            => Encoding.UTF8.GetBytes($"{{\"id\":{request.IdJson},\"result\":{(error is null ? Inner(inner) : "null")},\"error\":{(error is null ? "null" : JsonSerializer.Serialize(error, ErrorJsonContext.Default.String))}}}\n");

        public override (ReadOnlyMemory<byte> Inner, string? Error) UnwrapResponse(ReadOnlyMemory<byte> body)
        {
            try
            {
                using var doc = JsonDocument.Parse(body);
                var root = doc.RootElement;
                var error = root.TryGetProperty("error", out var e) && e.ValueKind != JsonValueKind.Null ? (e.ValueKind == JsonValueKind.String ? e.GetString() : e.GetRawText()) : null;
                var result = root.TryGetProperty("result", out var r) && r.ValueKind != JsonValueKind.Null ? Encoding.UTF8.GetBytes(r.GetRawText()) : [];
                return (result, error);
            }
            catch (Exception e) when (e is JsonException or InvalidOperationException)
            {
                throw MicroException.InternalServerError("go.micro.codec", $"invalid json-rpc response: {e.Message}");
            }
        }

        private static string Inner(ReadOnlyMemory<byte> inner) => inner.IsEmpty ? "{}" : Encoding.UTF8.GetString(inner.Span);
    }

    private sealed class ProtoRpcEnvelope : RpcEnvelope
    {
        public override string ContentType => "application/proto-rpc";

        public override string InnerContentType => ProtobufCodec.MediaType;

        public override ReadOnlyMemory<byte> WrapRequest(string method, ulong id, ReadOnlyMemory<byte> inner)
            => Join(Header(method, id, null), inner.Span);

        public override RpcRequestEnvelope UnwrapRequest(ReadOnlyMemory<byte> body)
        {
            var (header, inner) = Split(body, "request");
            var (method, seq, _) = ReadHeader(header.Span);
            return new RpcRequestEnvelope(method, seq.ToString(System.Globalization.CultureInfo.InvariantCulture), seq, inner);
        }

        public override ReadOnlyMemory<byte> WrapResponse(RpcRequestEnvelope request, ReadOnlyMemory<byte> inner, string? error)
            => Join(Header(request.Method, request.Seq, error), error is null ? inner.Span : []);

        public override (ReadOnlyMemory<byte> Inner, string? Error) UnwrapResponse(ReadOnlyMemory<byte> body)
        {
            var (header, inner) = Split(body, "response");
            var (_, _, error) = ReadHeader(header.Span);
            return (inner, string.IsNullOrEmpty(error) ? null : error);
        }

        /// <summary>go-micro's protorpc header: service_method = 1 (string), seq = 2 (fixed64), error = 3 (string).</summary>
        private static byte[] Header(string method, ulong seq, string? error)
        {
            using var stream = new MemoryStream();
            var output = new CodedOutputStream(stream);
            if (method.Length > 0)
            {
                output.WriteTag(1, WireFormat.WireType.LengthDelimited);
                output.WriteString(method);
            }

            if (seq != 0)
            {
                output.WriteTag(2, WireFormat.WireType.Fixed64);
                output.WriteFixed64(seq);
            }

            if (!string.IsNullOrEmpty(error))
            {
                output.WriteTag(3, WireFormat.WireType.LengthDelimited);
                output.WriteString(error);
            }

            output.Flush();
            return stream.ToArray();
        }

        private static (string Method, ulong Seq, string? Error) ReadHeader(ReadOnlySpan<byte> header)
        {
            try
            {
                var input = new CodedInputStream(header.ToArray());
                string method = "", error = "";
                ulong seq = 0;
                uint tag;
                while ((tag = input.ReadTag()) != 0)
                {
                    switch (WireFormat.GetTagFieldNumber(tag))
                    {
                        case 1: method = input.ReadString(); break;
                        case 2: seq = input.ReadFixed64(); break;
                        case 3: error = input.ReadString(); break;
                        default: input.SkipLastField(); break;
                    }
                }

                return (method, seq, error);
            }
            catch (InvalidProtocolBufferException e)
            {
                throw MicroException.BadRequest("go.micro.codec", $"invalid proto-rpc header: {e.Message}");
            }
        }

        /// <summary>Two netstrings: 4-byte big-endian length, then the bytes.</summary>
        private static byte[] Join(ReadOnlySpan<byte> header, ReadOnlySpan<byte> body)
        {
            var result = new byte[8 + header.Length + body.Length];
            BinaryPrimitives.WriteUInt32BigEndian(result, (uint)header.Length);
            header.CopyTo(result.AsSpan(4));
            BinaryPrimitives.WriteUInt32BigEndian(result.AsSpan(4 + header.Length), (uint)body.Length);
            body.CopyTo(result.AsSpan(8 + header.Length));
            return result;
        }

        private static (ReadOnlyMemory<byte> Header, ReadOnlyMemory<byte> Body) Split(ReadOnlyMemory<byte> data, string what)
        {
            var span = data.Span;
            if (span.Length < 4 || BinaryPrimitives.ReadUInt32BigEndian(span) is var h && h > span.Length - 4)
            {
                throw MicroException.BadRequest("go.micro.codec", $"invalid proto-rpc {what}: the header length runs past the end");
            }

            var bodyAt = 4 + (int)h;
            if (span.Length == bodyAt)
            {
                return (data.Slice(4, (int)h), ReadOnlyMemory<byte>.Empty);
            }

            if (span.Length < bodyAt + 4 || BinaryPrimitives.ReadUInt32BigEndian(span[bodyAt..]) is var b && b > span.Length - bodyAt - 4)
            {
                throw MicroException.BadRequest("go.micro.codec", $"invalid proto-rpc {what}: the body length runs past the end");
            }

            return (data.Slice(4, (int)h), data.Slice(bodyAt + 4, (int)b));
        }
    }
}
