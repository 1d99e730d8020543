using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Micro.Mcp;

/// <summary>A tool call's arguments as the request's JSON body; a stream tool's structured result.</summary>
[JsonSerializable(typeof(IDictionary<string, JsonElement>))]
[JsonSerializable(typeof(JsonObject))]
[JsonSerializable(typeof(List<string>))]
internal sealed partial class McpJson : JsonSerializerContext;
