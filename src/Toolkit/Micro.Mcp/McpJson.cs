using System.Text.Json;
using System.Text.Json.Serialization;

namespace Micro.Mcp;

/// <summary>A tool call's arguments as the request's JSON body.</summary>
[JsonSerializable(typeof(IDictionary<string, JsonElement>))]
internal sealed partial class McpJson : JsonSerializerContext;
