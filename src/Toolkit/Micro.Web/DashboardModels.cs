using System.Text.Json;
using System.Text.Json.Serialization;
using Micro.Registry;

namespace Micro.Web;

/// <summary>A service in the list: its versions and how many nodes run it.</summary>
public sealed record ServiceSummary(string Name, IReadOnlyList<string> Versions, int Nodes, bool WebApp);

/// <summary>A service's page: every version with its nodes and endpoints.</summary>
public sealed record ServiceDetail(string Name, IReadOnlyList<VersionDetail> Versions);

public sealed record VersionDetail(string Version, IReadOnlyDictionary<string, string>? Metadata, IReadOnlyList<Node> Nodes, IReadOnlyList<EndpointDetail> Endpoints);

/// <summary>An endpoint with its request and response fields and a JSON request to start the call form from.</summary>
public sealed record EndpointDetail(string Name, Value? Request, Value? Response, IReadOnlyDictionary<string, string>? Metadata, string Skeleton);

/// <summary>A web app reachable at <see cref="Path"/> through the dashboard.</summary>
public sealed record WebAppSummary(string Name, string Service, int Nodes, string Path);

/// <summary>The call form's request: the JSON request as the text typed.</summary>
public sealed record CallRequest(string? Service, string? Endpoint, string? Request);

public sealed record TerminalRequest(string? Line);

public sealed record TerminalReply(int ExitCode, string Output);

/// <summary>What the live feed pushes when the registry changes.</summary>
public sealed record RegistryChange(string Action, string Service);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(IReadOnlyList<ServiceSummary>))]
[JsonSerializable(typeof(ServiceDetail))]
[JsonSerializable(typeof(IReadOnlyList<WebAppSummary>))]
[JsonSerializable(typeof(CallRequest))]
[JsonSerializable(typeof(TerminalRequest))]
[JsonSerializable(typeof(TerminalReply))]
[JsonSerializable(typeof(RegistryChange))]
[JsonSerializable(typeof(MetricsReply))]
[JsonSerializable(typeof(JsonElement))]
internal sealed partial class DashboardJsonContext : JsonSerializerContext;
