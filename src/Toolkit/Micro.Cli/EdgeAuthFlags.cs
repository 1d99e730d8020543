using System.CommandLine;
using Micro.Edge.Auth;

namespace Micro.Cli;

/// <summary>
/// Who may use <c>micro api</c> and <c>micro web</c>: <c>--auth none|api_key|jwt</c> and its settings, each also read from
/// the environment under the command's prefix (<c>MICRO_API_AUTH_KEYS</c>, <c>MICRO_WEB_AUTH_KEYS</c>...), which keeps
/// secrets out of <c>ps</c>.
/// </summary>
internal sealed class EdgeAuthFlags(string envPrefix, string who)
{
    private readonly Option<string> _mode = new("--auth") { Description = $"Who may {who}: none (default), api_key or jwt. Env {envPrefix}_AUTH." };
    private readonly Option<string> _keys = new("--auth_keys") { Description = $"api_key: comma-separated keys, each KEY or NAME=KEY. Prefer env {envPrefix}_AUTH_KEYS (flags show in ps)." };
    private readonly Option<string> _jwtSecret = new("--auth_jwt_secret") { Description = $"jwt: HMAC secret (32+ bytes). Prefer env {envPrefix}_AUTH_JWT_SECRET." };
    private readonly Option<string> _jwtKey = new("--auth_jwt_key") { Description = $"jwt: PEM public key file (RSA or EC). Env {envPrefix}_AUTH_JWT_KEY." };
    private readonly Option<string> _jwtIssuer = new("--auth_jwt_issuer") { Description = $"jwt: required issuer (iss). Env {envPrefix}_AUTH_JWT_ISSUER." };
    private readonly Option<string> _jwtAudience = new("--auth_jwt_audience") { Description = $"jwt: required audience (aud). Env {envPrefix}_AUTH_JWT_AUDIENCE." };

    public void AddTo(Command command)
    {
        foreach (var option in new[] { _mode, _keys, _jwtSecret, _jwtKey, _jwtIssuer, _jwtAudience })
        {
            command.Options.Add(option);
        }
    }

    /// <summary>The authenticator, or null for none; a missing setting is an <see cref="ArgumentException"/> naming it.</summary>
    public IEdgeAuthenticator? Read(ParseResult parse)
        => EdgeAuthentication.Create(Flag(parse, _mode, "_AUTH"), Flag(parse, _keys, "_AUTH_KEYS"), new JwtOptions
        {
            Secret = Flag(parse, _jwtSecret, "_AUTH_JWT_SECRET"),
            PublicKeyPath = Flag(parse, _jwtKey, "_AUTH_JWT_KEY"),
            Issuer = Flag(parse, _jwtIssuer, "_AUTH_JWT_ISSUER"),
            Audience = Flag(parse, _jwtAudience, "_AUTH_JWT_AUDIENCE"),
        });

    private string? Flag(ParseResult parse, Option<string> option, string envSuffix)
        => parse.GetValue(option) ?? Environment.GetEnvironmentVariable(envPrefix + envSuffix);
}
