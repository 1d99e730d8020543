using System.Text.Json.Serialization;

namespace Micro.Registry;

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(Service))]
[JsonSerializable(typeof(Endpoint))]
[JsonSerializable(typeof(IReadOnlyList<Service>))]
[JsonSerializable(typeof(LocalRegistryFile))]
public sealed partial class RegistryJsonContext : JsonSerializerContext;
