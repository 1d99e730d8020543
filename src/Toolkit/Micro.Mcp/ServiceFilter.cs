namespace Micro.Mcp;

/// <summary>Which services become tools (<see cref="McpOptions.Services"/>): include and exclude globs.</summary>
internal sealed class ServiceFilter
{
    private static readonly string[] AlwaysOut = ["go.micro.http.broker", "go.micro.web.*", "go.micro.bot.*"];
    private readonly string[] _include;
    private readonly string[] _exclude;

    public ServiceFilter(string globs)
    {
        var all = (globs ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        _include = all.Where(g => !g.StartsWith('!')).ToArray();
        _exclude = all.Where(g => g.StartsWith('!')).Select(g => g[1..]).Concat(AlwaysOut).ToArray();
    }

    public bool Includes(string service)
        => (_include.Length == 0 || Array.Exists(_include, g => Matches(g, service))) && !Array.Exists(_exclude, g => Matches(g, service));

    /// <summary>A glob with <c>*</c> only, matched case-insensitively, without regular expressions (no pathological patterns).</summary>
    internal static bool Matches(string glob, string text)
    {
        int g = 0, t = 0, star = -1, mark = 0;
        while (t < text.Length)
        {
            if (g < glob.Length && glob[g] == '*')
            {
                star = g++;
                mark = t;
            }
            else if (g < glob.Length && char.ToLowerInvariant(glob[g]) == char.ToLowerInvariant(text[t]))
            {
                g++;
                t++;
            }
            else if (star >= 0)
            {
                g = star + 1;
                t = ++mark;
            }
            else
            {
                return false;
            }
        }

        while (g < glob.Length && glob[g] == '*')
        {
            g++;
        }

        return g == glob.Length;
    }
}
