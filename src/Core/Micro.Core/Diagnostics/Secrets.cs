using System.Text.RegularExpressions;

namespace Micro.Diagnostics;

/// <summary>
/// Keeps secrets out of what people see: metadata values under secret-looking keys (token, password, secret, api key,
/// credential, private key, authorization, cookie) are replaced, and passwords in URLs
/// (<c>amqp://user:pass@host</c>) are masked. Used by <c>micro get service</c>, the dashboard, health replies and logs.
/// </summary>
public static partial class Secrets
{
    /// <summary>What a secret value is shown as.</summary>
    public const string Mask = "[redacted]";

    private static readonly string[] SecretWords =
        ["password", "passwd", "pwd", "secret", "token", "apikey", "credential", "privatekey", "authorization", "cookie", "signature"];

    /// <summary>Whether a metadata key or header name names a secret (case, dashes, dots and underscores ignored).</summary>
    public static bool IsSecretKey(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        Span<char> folded = stackalloc char[Math.Min(key.Length, 256)];
        var n = 0;
        foreach (var c in key.AsSpan(0, folded.Length))
        {
            if (char.IsLetterOrDigit(c))
            {
                folded[n++] = char.ToLowerInvariant(c);
            }
        }

        var text = folded[..n];
        foreach (var word in SecretWords)
        {
            if (text.Contains(word, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A value fit to show: masked under a secret key, else with URL passwords masked.</summary>
    public static string Value(string key, string value) => IsSecretKey(key) ? Mask : Urls(value);

    /// <summary>Masks the password of every <c>scheme://user:password@</c> in <paramref name="text"/>.</summary>
    public static string Urls(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Contains("://", StringComparison.Ordinal) && text.Contains('@', StringComparison.Ordinal)
            ? UrlPassword().Replace(text, "${scheme}${user}:" + Mask + "@")
            : text;
    }

    /// <summary>Metadata fit to show (null stays null; nothing secret: the same instance).</summary>
    public static IReadOnlyDictionary<string, string>? Metadata(IReadOnlyDictionary<string, string>? metadata)
    {
        if (metadata is null || !metadata.Any(kv => !ReferenceEquals(Value(kv.Key, kv.Value), kv.Value)))
        {
            return metadata;
        }

        return metadata.ToDictionary(kv => kv.Key, kv => Value(kv.Key, kv.Value), StringComparer.Ordinal);
    }

    [GeneratedRegex(@"(?<scheme>[A-Za-z][A-Za-z0-9+.\-]*://)(?<user>[^:/@\s]*):(?<password>[^@/\s]*)@", RegexOptions.CultureInvariant)]
    private static partial Regex UrlPassword();
}
