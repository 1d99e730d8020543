using System.Text.Json.Serialization;

namespace Micro;

internal sealed record ErrorJson(
    [property: JsonPropertyName("id")] string? Id,
    [property: JsonPropertyName("code")] int Code,
    [property: JsonPropertyName("detail")] string? Detail,
    [property: JsonPropertyName("status")] string? Status);
