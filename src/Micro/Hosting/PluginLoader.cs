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
    private static readonly Dictionary<string, string> Assemblies = new(StringComparer.OrdinalIgnoreCase)
    {
        ["nats"] = "Micro.Nats",
        ["rabbitmq"] = "Micro.RabbitMQ",
        ["etcd"] = "Micro.Etcd",
        ["consul"] = "Micro.Consul",
        ["kubernetes"] = "Micro.Kubernetes",
    };

    public static string? AssemblyFor(string name) => Assemblies.GetValueOrDefault(name);

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
