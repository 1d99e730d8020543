using System.Text.Json.Serialization;
using Micro.Diagnostics;
using Micro.Registry;

namespace Micro.Server;

[JsonSerializable(typeof(HealthRequest))]
[JsonSerializable(typeof(HealthResponse))]
[JsonSerializable(typeof(StatsRequest))]
[JsonSerializable(typeof(StatsResponse))]
internal sealed partial class DebugJsonContext : JsonSerializerContext;
