using System.Text.Json.Serialization;
using Micro.Registry;
using Microsoft.Extensions.Logging;

namespace Micro.Bot;

public sealed record ExecResponse([property: JsonPropertyName("result")] byte[]? Result, [property: JsonPropertyName("error")] string? Error);
