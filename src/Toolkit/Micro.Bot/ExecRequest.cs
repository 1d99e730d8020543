using System.Text.Json.Serialization;
using Micro.Registry;
using Microsoft.Extensions.Logging;

namespace Micro.Bot;

public sealed record ExecRequest([property: JsonPropertyName("args")] IReadOnlyList<string> Args);
