using System.Text.Json.Serialization;
using Micro.Codec;
using Micro.Diagnostics;
using Micro.Registry;

namespace Micro.Server;

/// <summary>go-micro's <c>status</c>, plus each readiness check (<c>registry</c>, <c>server</c>, <c>broker</c>) and its state.</summary>
public sealed record HealthResponse(string Status, IReadOnlyDictionary<string, string>? Checks = null);
