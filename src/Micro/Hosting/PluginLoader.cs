using System.Diagnostics.CodeAnalysis;
using System.Reflection;

namespace Micro.Hosting;

/// <summary>Implemented by a plugin package's entry type: adds its registries, transports and brokers by name.</summary>
public interface IMicroPlugin
{
    void Register(MicroPlugins plugins);
}

/// <summary>Names the <see cref="IMicroPlugin"/> type of a plugin assembly.</summary>
[AttributeUsage(AttributeTargets.Assembly)]
public sealed class MicroPluginAttribute([DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] Type pluginType) : Attribute
{
    [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)]
    public Type PluginType { get; } = pluginType;
}

/// <summary>Finds plugin assemblies by the names configuration uses, so selecting a plugin needs no code.</summary>
internal static class PluginLoader
{
    private static readonly Dictionary<string, (string Assembly, string[] Kinds)> Plugins = new(StringComparer.OrdinalIgnoreCase)
    {
        ["nats"] = ("Micro.Nats", ["transport", "broker"]),
        ["rabbitmq"] = ("Micro.RabbitMQ", ["transport", "broker"]),
        ["etcd"] = ("Micro.Etcd", ["registry"]),
        ["consul"] = ("Micro.Consul", ["registry"]),
        ["kubernetes"] = ("Micro.Kubernetes", ["registry"]),
    };

    public static string? AssemblyFor(string name) => Plugins.TryGetValue(name, out var plugin) ? plugin.Assembly : null;

    /// <summary>The plugin packages' names for <paramref name="kind"/> (registry, transport, broker), with the package each needs.</summary>
    public static IEnumerable<(string Name, string Assembly)> Offering(string kind)
        => Plugins.Where(p => p.Value.Kinds.Contains(kind)).Select(p => (p.Key, p.Value.Assembly)).OrderBy(p => p.Key, StringComparer.Ordinal);

    public static bool TryLoad(string name, MicroPlugins plugins)
    {
        if (AssemblyFor(name) is not { } assemblyName)
        {
            return false;
        }

        Assembly assembly;
        try
        {
            assembly = Assembly.Load(assemblyName);
        }
        catch (FileNotFoundException)
        {
            return false;
        }

        foreach (var attribute in assembly.GetCustomAttributes<MicroPluginAttribute>())
        {
            ((IMicroPlugin)Activator.CreateInstance(attribute.PluginType)!).Register(plugins);
        }

        return true;
    }
}
