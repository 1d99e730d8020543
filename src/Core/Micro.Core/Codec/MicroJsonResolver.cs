using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Micro.Codec;

/// <summary>
/// A JSON codec's resolver: the contexts it was given, then Micro's own (Debug.Health, Debug.Stats), then reflection
/// where the app allows it (never under trimming or Native AOT).
/// </summary>
internal sealed class MicroJsonResolver(IReadOnlyList<IJsonTypeInfoResolver> contexts) : IJsonTypeInfoResolver
{
    private static readonly IJsonTypeInfoResolver? Reflection = CreateReflectionResolver();

    public JsonTypeInfo? GetTypeInfo(Type type, JsonSerializerOptions options)
    {
        foreach (var context in contexts)
        {
            if (context.GetTypeInfo(type, options) is { } info)
            {
                return info;
            }
        }

        return ((IJsonTypeInfoResolver)Server.DebugJsonContext.Default).GetTypeInfo(type, options) ?? Reflection?.GetTypeInfo(type, options);
    }

    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Created only when JsonSerializer.IsReflectionEnabledByDefault, which trimmed and AOT apps turn off.")]
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "Created only when JsonSerializer.IsReflectionEnabledByDefault, which trimmed and AOT apps turn off.")]
    private static IJsonTypeInfoResolver? CreateReflectionResolver()
        => JsonSerializer.IsReflectionEnabledByDefault ? new DefaultJsonTypeInfoResolver() : null;
}
