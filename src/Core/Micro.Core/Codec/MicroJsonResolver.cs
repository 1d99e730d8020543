using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Micro.Codec;

/// <summary>The codec's resolver: registered contexts first, then reflection where the app allows it.</summary>
internal sealed class MicroJsonResolver : IJsonTypeInfoResolver
{
    private static readonly IJsonTypeInfoResolver? Reflection = CreateReflectionResolver();

    public JsonTypeInfo? GetTypeInfo(Type type, JsonSerializerOptions options)
    {
        foreach (var resolver in MicroJsonTypes.Resolvers)
        {
            if (resolver.GetTypeInfo(type, options) is { } info)
            {
                return info;
            }
        }

        return Reflection?.GetTypeInfo(type, options);
    }

    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Created only when JsonSerializer.IsReflectionEnabledByDefault, which trimmed and AOT apps turn off.")]
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "Created only when JsonSerializer.IsReflectionEnabledByDefault, which trimmed and AOT apps turn off.")]
    private static IJsonTypeInfoResolver? CreateReflectionResolver()
        => JsonSerializer.IsReflectionEnabledByDefault ? new DefaultJsonTypeInfoResolver() : null;
}
