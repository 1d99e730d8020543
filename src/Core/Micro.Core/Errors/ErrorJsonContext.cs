using System.Text.Json.Serialization;

namespace Micro;

[JsonSerializable(typeof(ErrorJson))]
[JsonSerializable(typeof(string))]
internal sealed partial class ErrorJsonContext : JsonSerializerContext;
