namespace Micro.Mcp;

/// <summary>
/// <c>--mcp_allow</c>: which tools an identity may list and call, as <c>SUBJECT=GLOB,GLOB;SUBJECT=GLOB</c>. A subject
/// is who an authenticator signed in (a JWT's <c>sub</c>, an API key's name), <c>local</c> for the agent host of a
/// stdio server, or <c>*</c> for any caller; a glob (<c>*</c> only, case-insensitive) matches
/// <c>service.Endpoint</c>, e.g. <c>greeter.*</c> or <c>orders.Orders.Get</c>. A caller no entry names may use nothing.
/// </summary>
public sealed class ToolAccess
{
    private readonly (string Subject, string[] Globs)[] _rules;

    private ToolAccess((string Subject, string[] Globs)[] rules) => _rules = rules;

    /// <summary>No rules: every caller may use every tool.</summary>
    public static ToolAccess Everyone { get; } = new([]);

    public bool IsEveryone => _rules.Length == 0;

    /// <exception cref="FormatException">An entry that is not <c>SUBJECT=GLOB[,GLOB]</c>; the message names it.</exception>
    public static ToolAccess Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return Everyone;
        }

        var rules = new List<(string, string[])>();
        foreach (var entry in text.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = entry.IndexOf('=', StringComparison.Ordinal);
            var globs = eq < 0 ? [] : entry[(eq + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (eq <= 0 || globs.Length == 0 || entry[..eq].Trim().Length == 0)
            {
                throw new FormatException($"--mcp_allow: '{entry}' is not SUBJECT=GLOB[,GLOB] (e.g. ops=*;agent=greeter.*,orders.Orders.Get)");
            }

            rules.Add((entry[..eq].Trim(), globs));
        }

        return new ToolAccess([.. rules]);
    }

    /// <summary>Whether <paramref name="subject"/> (null: an anonymous caller, matched only by <c>*</c>) may use the endpoint.</summary>
    public bool Allows(string? subject, string service, string endpoint)
    {
        if (_rules.Length == 0)
        {
            return true;
        }

        var name = service + "." + endpoint;
        foreach (var (who, globs) in _rules)
        {
            if ((who == "*" || (subject is not null && string.Equals(who, subject, StringComparison.Ordinal)))
                && Array.Exists(globs, g => ServiceFilter.Matches(g, name)))
            {
                return true;
            }
        }

        return false;
    }

    public override string ToString() => _rules.Length == 0 ? "everyone" : string.Join(';', _rules.Select(r => r.Subject + "=" + string.Join(',', r.Globs)));
}
