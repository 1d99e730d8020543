using System.Diagnostics.CodeAnalysis;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Runtime.InteropServices;

namespace Micro.Hosting;

/// <summary>Names the <see cref="IMicroPlugin"/> type of a plugin assembly.</summary>
[AttributeUsage(AttributeTargets.Assembly)]
public sealed class MicroPluginAttribute([DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] Type pluginType) : Attribute
{
    [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)]
    public Type PluginType { get; } = pluginType;
}
