using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Micro.Edge.Auth;

/// <summary>
/// API keys: <c>Authorization: Bearer KEY</c> or <c>X-Api-Key: KEY</c>, compared in constant time (through SHA-256, so
/// the length of a key does not leak either). Each key may carry a name (<c>NAME=KEY</c>, NAME of letters, digits,
/// <c>_ . -</c>) that becomes the subject; any other value is the key as a whole, so a base64 key ending in <c>==</c>
/// stays one key.
/// </summary>
public sealed class ApiKeyAuthenticator : IEdgeAuthenticator
{
    /// <summary>The shortest key accepted: 16 bytes, what <c>openssl rand -base64 16</c> gives before encoding.</summary>
    public const int MinimumKeyBytes = 16;

    private readonly (string Name, byte[] Hash)[] _keys;
    private readonly string _credential;
    private readonly string _send;

    /// <param name="keys">Keys, each <c>KEY</c> or <c>NAME=KEY</c>.</param>
    /// <param name="credential">What a refusal calls the credential, one term throughout ("API key", or the proxy's "token").</param>
    /// <param name="send">How a refusal says to send it; by default the two headers an API key may come in.</param>
    public ApiKeyAuthenticator(IEnumerable<string> keys, string credential = "API key", string? send = null)
    {
        ArgumentNullException.ThrowIfNull(keys);
        _credential = credential;
        _send = send ?? $"Authorization: Bearer <{credential}> or X-Api-Key: <{credential}>";
        _keys = keys.Select(Parse).ToArray();
        if (_keys.Length == 0)
        {
            throw new ArgumentException("--auth api_key needs at least one key (--auth_keys)");
        }
    }

    /// <summary>The name and key of one <c>--auth_keys</c> entry; a key under <see cref="MinimumKeyBytes"/> bytes is refused.</summary>
    public static (string Name, string Key) Split(string entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var eq = entry.IndexOf('=', StringComparison.Ordinal);
        // "NAME=KEY" only when NAME is a plain name and KEY is more than base64 padding: "Zm9v...eA==" is one key.
        var named = eq > 0 && IsName(entry.AsSpan(0, eq)) && entry.AsSpan(eq + 1).ContainsAnyExcept('=');
        var (name, key) = named ? (entry[..eq], entry[(eq + 1)..]) : ("api-key", entry);
        var bytes = Encoding.UTF8.GetByteCount(key);
        if (bytes < MinimumKeyBytes)
        {
            throw new ArgumentException($"--auth_keys: the key named '{name}' is {bytes} bytes; an API key needs at least {MinimumKeyBytes} (e.g. openssl rand -base64 24)");
        }

        return (name, key);
    }

    private static (string Name, byte[] Hash) Parse(string entry)
    {
        var (name, key) = Split(entry);
        return (name, Hash(key));
    }

    private static bool IsName(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not '_' and not '.' and not '-')
            {
                return false;
            }
        }

        return text.Length > 0;
    }

    public ValueTask<EdgeIdentity?> AuthenticateAsync(HttpContext context, Action<string> failure, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(failure);
        var given = EdgeCredentials.Bearer(context.Request) ?? context.Request.Headers["X-Api-Key"].ToString();
        if (given.Length == 0)
        {
            failure($"no {_credential}: send {_send}");
            return ValueTask.FromResult<EdgeIdentity?>(null);
        }

        var hash = Hash(given);
        string? match = null;
        foreach (var (name, key) in _keys)
        {
            // Every key is compared, so the time taken does not say which one came close.
            if (CryptographicOperations.FixedTimeEquals(hash, key))
            {
                match = name;
            }
        }

        if (match is null)
        {
            failure($"the {_credential} is not valid");
            return ValueTask.FromResult<EdgeIdentity?>(null);
        }

        return ValueTask.FromResult<EdgeIdentity?>(new EdgeIdentity(match, new Dictionary<string, string>()));
    }

    private static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));
}
