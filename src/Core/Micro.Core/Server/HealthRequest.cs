using System.Text.Json.Serialization;
using Micro.Codec;
using Micro.Diagnostics;
using Micro.Registry;

namespace Micro.Server;

public sealed record HealthRequest;
