namespace Micro.Server;

/// <summary>Why the plain-class paths are not trim/AOT safe, and what to use instead (shown by the analyzers).</summary>
internal static class ReflectionHandlers
{
    public const string Message =
        "Plain-class handlers and subscribers are found and described by reflection. For trimmed or Native AOT apps, write the service " +
        "as a [MicroContract] interface: its generated binding (builder.Add<Name><T>()) needs no reflection.";
}
