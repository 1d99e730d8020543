using System.Text.Json.Serialization;
using Micro.Registry;
using Microsoft.Extensions.Logging;

namespace Micro.Bot;

[JsonSerializable(typeof(HelpRequest))]
[JsonSerializable(typeof(HelpResponse))]
[JsonSerializable(typeof(ExecRequest))]
[JsonSerializable(typeof(ExecResponse))]
internal sealed partial class BotJsonContext : JsonSerializerContext;
