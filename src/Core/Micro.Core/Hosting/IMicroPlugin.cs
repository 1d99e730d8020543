using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Runtime.InteropServices;

namespace Micro.Hosting;

/// <summary>Implemented by a plugin package's entry type: adds its registries, transports and brokers by name.</summary>
public interface IMicroPlugin
{
    void Register(MicroPlugins plugins);
}
