using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Runtime.InteropServices;

namespace Micro.Hosting;

/// <summary>
/// Finds the plugins an app was built with, without the core naming any: every assembly the app references (its
/// trusted platform assemblies outside the shared framework) whose metadata carries <see cref="MicroPluginAttribute"/>.
/// Only those are loaded, as ASP.NET Core finds application parts among the assemblies an app references. Under
/// Native AOT nothing can be loaded by name (see <see cref="CanLoadByName"/>), so plugins are named in code there.
/// </summary>
internal static class PluginLoader
{
    private static readonly Lazy<IReadOnlyList<IMicroPlugin>> Referenced = new(FindReferenced);

    /// <summary>
    /// Whether referenced assemblies can be found and loaded by name: not in a Native AOT app, which has no trusted
    /// platform assemblies (a JIT run of a project with PublishAot can, though it reports no dynamic code).
    /// </summary>
    public static bool CanLoadByName => AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") is string;

    /// <summary>Adds every referenced plugin's names that <paramref name="plugins"/> does not have yet (names added in code win).</summary>
    public static void AddReferenced(MicroPlugins plugins)
    {
        foreach (var plugin in Referenced.Value)
        {
            var found = new MicroPlugins(empty: true);
            plugin.Register(found);
            plugins.AddMissing(found);
        }
    }

    private static List<IMicroPlugin> FindReferenced()
    {
        var assemblies = new Dictionary<string, Assembly>(StringComparer.OrdinalIgnoreCase);
        foreach (var loaded in AppDomain.CurrentDomain.GetAssemblies())
        {
            assemblies.TryAdd(loaded.GetName().Name ?? "", loaded); // a name can be loaded twice (other load contexts, dynamic assemblies)
        }

        var plugins = new List<Assembly>(assemblies.Values.Where(a => !a.IsDynamic && a.IsDefined(typeof(MicroPluginAttribute), inherit: false)));
        if (AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") is string trusted)
        {
            // The shared frameworks (Microsoft.NETCore.App, Microsoft.AspNetCore.App) hold no plugin: skip their hundreds of files.
            var shared = Path.GetDirectoryName(Path.GetDirectoryName(RuntimeEnvironment.GetRuntimeDirectory().TrimEnd(Path.DirectorySeparatorChar)));
            foreach (var path in trusted.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
            {
                if ((shared is not null && path.StartsWith(shared + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                    || assemblies.ContainsKey(Path.GetFileNameWithoutExtension(path)) || !DeclaresPlugin(path))
                {
                    continue;
                }

                plugins.Add(Assembly.Load(Path.GetFileNameWithoutExtension(path)));
            }
        }

        return plugins.OrderBy(a => a.GetName().Name, StringComparer.Ordinal)
            .SelectMany(a => a.GetCustomAttributes<MicroPluginAttribute>())
            .Select(attribute => (IMicroPlugin)Activator.CreateInstance(attribute.PluginType)!)
            .ToList();
    }

    /// <summary>Whether the assembly at <paramref name="path"/> carries <c>[assembly: MicroPlugin]</c>, read without loading it.</summary>
    internal static bool DeclaresPlugin(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            using var pe = new PEReader(stream);
            if (!pe.HasMetadata)
            {
                return false;
            }

            var metadata = pe.GetMetadataReader();
            if (!metadata.IsAssembly)
            {
                return false;
            }

            foreach (var handle in metadata.GetAssemblyDefinition().GetCustomAttributes())
            {
                var constructor = metadata.GetCustomAttribute(handle).Constructor;
                if (constructor.Kind == HandleKind.MemberReference
                    && metadata.GetMemberReference((MemberReferenceHandle)constructor).Parent is { Kind: HandleKind.TypeReference } parent
                    && metadata.GetTypeReference((TypeReferenceHandle)parent) is var type
                    && metadata.StringComparer.Equals(type.Name, nameof(MicroPluginAttribute))
                    && metadata.StringComparer.Equals(type.Namespace, "Micro.Hosting"))
                {
                    return true;
                }
            }

            return false;
        }
        catch (Exception e) when (e is IOException or BadImageFormatException or UnauthorizedAccessException or InvalidOperationException)
        {
            return false; // not a managed assembly, or unreadable: it holds no plugin this app can load
        }
    }
}
