namespace Micro.Hosting;

/// <summary>
/// go-micro's command-line flags as .NET configuration reads them. The configuration's command-line provider knows
/// only <c>--key value</c> and <c>--key=value</c>: a bare boolean switch (<c>--transport_tls_dev</c>) at the end is dropped
/// and before another flag takes that flag as its value. <see cref="Normalize"/> writes each switch out first.
/// </summary>
public static class MicroFlags
{
    /// <summary>The switches: true when given bare, or <c>true</c>/<c>false</c> (also 1/0, yes/no) as their value.</summary>
    public static IReadOnlyList<string> Switches { get; } = ["transport_tls_dev", "allow_link_local"];

    /// <summary>
    /// The arguments with each switch as <c>--name=value</c>: <c>--transport_tls_dev</c> becomes <c>--transport_tls_dev=true</c>,
    /// <c>--transport_tls_dev false</c> becomes <c>--transport_tls_dev=false</c>. Everything else is left as it is.
    /// </summary>
    /// <exception cref="FormatException">A switch is followed by a value that is not true or false.</exception>
    public static string[] Normalize(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var result = new List<string>(args.Count);
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg.StartsWith("--", StringComparison.Ordinal) && !arg.Contains('=', StringComparison.Ordinal) && Switches.Contains(arg[2..], StringComparer.OrdinalIgnoreCase))
            {
                // Bare when the next argument is another flag or there is none; else the next one is its value, and
                // a value that is not a boolean is an error rather than a stray argument nothing reads.
                var bare = i + 1 == args.Count || args[i + 1].StartsWith('-');
                result.Add(arg + "=" + (bare ? "true" : ParseSwitch(args[++i], arg[2..]) ? "true" : "false"));
                continue;
            }

            result.Add(arg);
        }

        return [.. result];
    }

    /// <summary>Reads a switch's value: true/false, 1/0, yes/no (any case); anything else is an error naming the flag.</summary>
    public static bool ParseSwitch(string text, string name)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.ToLowerInvariant() switch
        {
            "true" or "1" or "yes" => true,
            "false" or "0" or "no" => false,
            _ => throw new FormatException($"{name}: '{text}' is not true or false (give --{name} alone for true)."),
        };
    }
}
