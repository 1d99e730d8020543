using System.Collections.Concurrent;
using System.Security.Cryptography;
using Micro.Edge.Auth;

namespace Micro.Web;

/// <summary>
/// Who is signed in to the dashboard. The cookie holds a random session id, never the API key or JWT; the id maps to the
/// identity here, expires after <see cref="WebOptions.SessionLifetime"/> (or when a JWT does, if sooner) and is removed
/// at sign-out. Each session has its own CSRF token, written into the dashboard's pages, which a web app cannot read.
/// Without sign-in, one token for the process plays that part.
/// </summary>
internal sealed class DashboardSessions(TimeSpan lifetime, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, Session> _sessions = new(StringComparer.Ordinal);

    /// <summary>The CSRF token of a dashboard without sign-in.</summary>
    public string AnonymousToken { get; } = NewSecret();

    public sealed record Session(EdgeIdentity Identity, string CsrfToken, DateTimeOffset Expires);

    /// <summary>Starts a session for <paramref name="identity"/>; returns its id (for the cookie).</summary>
    public (string Id, Session Session) Start(EdgeIdentity identity)
    {
        ArgumentNullException.ThrowIfNull(identity);
        var now = time.GetUtcNow();
        var expires = now + lifetime;
        if (identity.Claims.TryGetValue("exp", out var exp) && long.TryParse(exp, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var seconds)
            && DateTimeOffset.FromUnixTimeSeconds(seconds) is var tokenEnds && tokenEnds < expires)
        {
            expires = tokenEnds; // a session never outlives the token it was opened with
        }

        Sweep(now);
        var session = new Session(identity, NewSecret(), expires);
        var id = NewSecret();
        _sessions[id] = session;
        return (id, session);
    }

    /// <summary>The live session with this id, or null (unknown, expired or signed out).</summary>
    public Session? Find(string? id)
    {
        if (string.IsNullOrEmpty(id) || !_sessions.TryGetValue(id, out var session))
        {
            return null;
        }

        if (session.Expires <= time.GetUtcNow())
        {
            _sessions.TryRemove(id, out _);
            return null;
        }

        return session;
    }

    /// <summary>Sign-out: the id stops working at once.</summary>
    public void End(string? id)
    {
        if (!string.IsNullOrEmpty(id))
        {
            _sessions.TryRemove(id, out _);
        }
    }

    public int Count => _sessions.Count;

    /// <summary>True when <paramref name="given"/> is <paramref name="expected"/>, compared in constant time.</summary>
    public static bool TokenMatches(string? given, string expected)
        => given is not null && CryptographicOperations.FixedTimeEquals(System.Text.Encoding.UTF8.GetBytes(given), System.Text.Encoding.UTF8.GetBytes(expected));

    private void Sweep(DateTimeOffset now)
    {
        foreach (var (id, session) in _sessions)
        {
            if (session.Expires <= now)
            {
                _sessions.TryRemove(id, out _);
            }
        }
    }

    private static string NewSecret() => Base64Url(RandomNumberGenerator.GetBytes(32));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
