using System.Text;
using System.Text.Json;
using Google.Protobuf;

namespace Micro.Codec;

/// <summary>A request taken out of an RPC envelope: the method, the caller's id, and the inner message bytes.</summary>
public sealed record RpcRequestEnvelope(string Method, string IdJson, ulong Seq, ReadOnlyMemory<byte> Inner);
