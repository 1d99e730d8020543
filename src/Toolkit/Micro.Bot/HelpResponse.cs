using System.Text.Json.Serialization;
using Micro.Registry;
using Microsoft.Extensions.Logging;

namespace Micro.Bot;

public sealed record HelpResponse([property: JsonPropertyName("usage")] string? Usage, [property: JsonPropertyName("description")] string? Description);
