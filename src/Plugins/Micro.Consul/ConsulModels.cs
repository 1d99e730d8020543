using System.Text.Json.Serialization;

namespace Micro.Consul;

// The few shapes of Consul's agent and health HTTP API that the registry uses (names as Consul documents them).

internal sealed record AgentServiceRegistration(
    [property: JsonPropertyName("ID")] string Id,
    [property: JsonPropertyName("Name")] string Name,
    [property: JsonPropertyName("Tags")] List<string> Tags,
    [property: JsonPropertyName("Address")] string Address,
    [property: JsonPropertyName("Port")] int Port,
    [property: JsonPropertyName("Check")] AgentServiceCheck Check);

internal sealed record AgentServiceCheck(
    [property: JsonPropertyName("TTL")] string Ttl,
    [property: JsonPropertyName("DeregisterCriticalServiceAfter")] string DeregisterCriticalServiceAfter);

internal sealed record ServiceEntry(
    [property: JsonPropertyName("Node")] ConsulNode? Node,
    [property: JsonPropertyName("Service")] AgentService? Service,
    [property: JsonPropertyName("Checks")] List<HealthCheck>? Checks);

internal sealed record ConsulNode([property: JsonPropertyName("Node")] string? Name, [property: JsonPropertyName("Address")] string? Address);

internal sealed record AgentService(
    [property: JsonPropertyName("ID")] string Id,
    [property: JsonPropertyName("Service")] string Service,
    [property: JsonPropertyName("Tags")] List<string>? Tags,
    [property: JsonPropertyName("Address")] string? Address,
    [property: JsonPropertyName("Port")] int Port);

internal sealed record HealthCheck(
    [property: JsonPropertyName("CheckID")] string? CheckId,
    [property: JsonPropertyName("ServiceID")] string? ServiceId,
    [property: JsonPropertyName("Status")] string? Status);

[JsonSerializable(typeof(AgentServiceRegistration))]
[JsonSerializable(typeof(List<ServiceEntry>))]
[JsonSerializable(typeof(Dictionary<string, List<string>>))]
internal sealed partial class ConsulJsonContext : JsonSerializerContext;
