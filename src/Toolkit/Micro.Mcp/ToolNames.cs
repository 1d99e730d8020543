using System.IO.Hashing;
using System.Text;

namespace Micro.Mcp;

/// <summary>
/// Tool names from service and endpoint, within MCP's rules (letters, digits, <c>_</c>, <c>-</c>; at most 64 here):
/// <c>greeter</c> + <c>Greeter.Hello</c> is <c>greeter_Greeter_Hello</c>. Anything else becomes <c>_</c>; a name that
/// had to change that way, or was too long, ends in a short hash of the original, so names stay unique and the same
/// across restarts and registry orders.
/// </summary>
internal static class ToolNames
{
    private const int MaxLength = 64;

    /// <summary>The hashed form, for a name another endpoint already has.</summary>
    public static string Hashed(string service, string endpoint) => Shorten(Safe(service + "_" + endpoint.Replace('.', '_')).Name, service, endpoint);

    public static string For(string service, string endpoint)
    {
        var (safe, changed) = Safe(service + "_" + endpoint.Replace('.', '_'));
        return !changed && safe.Length <= MaxLength ? safe : Shorten(safe, service, endpoint);
    }

    private static (string Name, bool Changed) Safe(string original)
    {
        var safe = new StringBuilder(original.Length);
        var changed = false;
        foreach (var c in original)
        {
            var ok = c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '_' or '-';
            safe.Append(ok ? c : '_');
            changed |= !ok;
        }

        return (safe.ToString(), changed);
    }

    private static string Shorten(string safe, string service, string endpoint)
    {
        var hash = Convert.ToHexStringLower(XxHash32.Hash(Encoding.UTF8.GetBytes(service + "\n" + endpoint)));
        var keep = Math.Min(safe.Length, MaxLength - hash.Length - 1);
        return safe[..keep] + "_" + hash;
    }
}
