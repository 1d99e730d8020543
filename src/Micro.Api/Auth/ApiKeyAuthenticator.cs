using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Micro.Api.Auth;

/// <summary>
/// API keys: <c>Authorization: Bearer KEY</c> or <c>X-Api-Key: KEY</c>, compared in constant time (through SHA-256, so
/// the length of a key does not leak either). Each key may carry a name (<c>name=key</c>) that becomes the subject.
/// </summary>
public sealed class ApiKeyAuthenticator : IEdgeAuthenticator
{
    private readonly (string Name, byte[] Hash)[] _keys;

    /// <param name="keys">Keys, each <c>key</c> or <c>name=key</c>.</param>
    public ApiKeyAuthenticator(IEnumerable<string> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        _keys = keys.Select(k => k.Split('=', 2) is [var name, var key] ? (name, Hash(key)) : ("api-key", Hash(k))).ToArray();
        if (_keys.Length == 0)
        {
            throw new ArgumentException("--auth api_key needs at least one key (--auth_keys)");
        }
    }

    public ValueTask<EdgeIdentity?> AuthenticateAsync(HttpContext context, Action<string> failure, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(failure);
        var given = EdgeCredentials.Bearer(context.Request) ?? context.Request.Headers["X-Api-Key"].ToString();
        if (given.Length == 0)
        {
            failure("no API key: send Authorization: Bearer KEY or X-Api-Key: KEY");
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
            failure("the API key is not valid");
            return ValueTask.FromResult<EdgeIdentity?>(null);
        }

        return ValueTask.FromResult<EdgeIdentity?>(new EdgeIdentity(match, new Dictionary<string, string>()));
    }

    private static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));
}
