using System.Text.RegularExpressions;

namespace Micro.Commands;

/// <summary>
/// The name help shows for the command line: <c>micro</c>, whatever the process is called. System.CommandLine names a
/// root command after the executable (<c>Micro.Cli</c> for the CLI, <c>Micro.Web</c> under the dashboard) and neither the
/// name nor the help layout can be changed in 2.0, so the usage lines of the help it writes are corrected.
/// </summary>
internal static partial class CommandName
{
    public const string Micro = "micro";

    /// <summary>
    /// The command as the user typed it, for hints to type next: <c>./micro</c> in a checkout (the script says so in
    /// <c>MICRO_COMMAND</c>), else <c>micro</c> on the PATH.
    /// </summary>
    public static string Invoked => Environment.GetEnvironmentVariable("MICRO_COMMAND") is { Length: > 0 } typed ? typed : Micro;

    /// <summary>The command for a script that runs later from anywhere (completion): an absolute path unless it is found on the PATH.</summary>
    public static string Runnable => Invoked.Contains('/', StringComparison.Ordinal) ? Path.GetFullPath(Invoked) : Invoked;

    /// <summary>The help text with the root's name at the start of each usage line (<c>"  Micro.Cli call ..."</c>) made <c>micro</c>.</summary>
    public static string InHelp(string help, string rootName)
    {
        var usage = UsageLine().Match(help);
        if (!usage.Success)
        {
            return help;
        }

        // Only the usage section: from "Usage:" to the first empty line.
        var end = help.IndexOf("\n\n", usage.Index, StringComparison.Ordinal) is var blank and >= 0 ? blank : help.Length;
        var section = help[usage.Index..end].Replace("\n  " + rootName + " ", "\n  " + Micro + " ", StringComparison.Ordinal);
        if (section.EndsWith("\n  " + rootName, StringComparison.Ordinal))
        {
            section = section[..^rootName.Length] + Micro;
        }

        return help[..usage.Index] + section + help[end..];
    }

    [GeneratedRegex("^Usage:$", RegexOptions.Multiline)]
    private static partial Regex UsageLine();
}
