using System.Text.Json.Serialization;

namespace Micro.Proxy;

/// <summary>The proxy's wire records, source-generated: the client here and the server in Micro.Proxy.</summary>
[JsonSerializable(typeof(RpcCall))]
[JsonSerializable(typeof(ProxyMessage))]
[JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class ProxyJsonContext : JsonSerializerContext;
