using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Micro.Codec;

/// <summary>
/// Source-generated JSON metadata (a <c>JsonSerializerContext</c>) the JSON codec consults before reflection. Under
/// trimming or Native AOT, reflection is off and these are the only source: contracts register theirs through
/// <c>[MicroContract(JsonContext = typeof(...))]</c>; anything else calls <see cref="Add"/> at start-up.
/// </summary>
public static class MicroJsonTypes
{
    private static readonly Lock Gate = new();
    private static IJsonTypeInfoResolver[] resolvers = [];

    /// <summary>Adds a resolver (usually <c>MyJsonContext.Default</c>); adding the same one twice is harmless.</summary>
    public static void Add(IJsonTypeInfoResolver resolver)
    {
        ArgumentNullException.ThrowIfNull(resolver);
        lock (Gate)
        {
            if (!resolvers.Contains(resolver))
            {
                resolvers = [.. resolvers, resolver];
            }
        }
    }

    internal static IJsonTypeInfoResolver[] Resolvers => Volatile.Read(ref resolvers);
}
