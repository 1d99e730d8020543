using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Micro.Api.Auth;

/// <summary>How bearer JWTs are checked: the signing key (an HMAC secret or a PEM public key), issuer and audience.</summary>
public sealed record JwtOptions
{
    /// <summary><c>--auth_jwt_secret</c>: HMAC (HS256/384/512) secret, at least 32 bytes.</summary>
    public string? Secret { get; init; }

    /// <summary><c>--auth_jwt_key</c>: path of a PEM public key (RSA or EC) for RS*/PS*/ES* tokens.</summary>
    public string? PublicKeyPath { get; init; }

    /// <summary><c>--auth_jwt_issuer</c>: required <c>iss</c>; null accepts any.</summary>
    public string? Issuer { get; init; }

    /// <summary><c>--auth_jwt_audience</c>: required <c>aud</c>; null accepts any.</summary>
    public string? Audience { get; init; }

    /// <summary>Tolerated clock difference for <c>exp</c> and <c>nbf</c>.</summary>
    public TimeSpan ClockSkew { get; init; } = TimeSpan.FromSeconds(30);
}

/// <summary>The built-in JWT validator (Microsoft.IdentityModel): signature, lifetime, issuer and audience.</summary>
public sealed class JwtAuthenticator : IEdgeAuthenticator
{
    private readonly JsonWebTokenHandler _handler = new();
    private readonly TokenValidationParameters _parameters;

    public JwtAuthenticator(JwtOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _parameters = new TokenValidationParameters
        {
            IssuerSigningKey = SigningKey(options),
            ValidateIssuerSigningKey = true,
            RequireSignedTokens = true,
            RequireExpirationTime = true,
            ValidateLifetime = true,
            ClockSkew = options.ClockSkew,
            ValidateIssuer = options.Issuer is not null,
            ValidIssuer = options.Issuer,
            ValidateAudience = options.Audience is not null,
            ValidAudience = options.Audience,
        };
    }

    public async ValueTask<EdgeIdentity?> AuthenticateAsync(HttpContext context, Action<string> failure, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(failure);
        var token = EdgeCredentials.Bearer(context.Request);
        if (string.IsNullOrEmpty(token))
        {
            failure("no token: send Authorization: Bearer JWT");
            return null;
        }

        var result = await _handler.ValidateTokenAsync(token, _parameters).ConfigureAwait(false);
        if (!result.IsValid)
        {
            // The exception's type names the rule broken (expired, bad signature, wrong issuer...) without echoing the token.
            failure("the token is not valid: " + Reason(result.Exception));
            return null;
        }

        var claims = result.Claims.ToDictionary(c => c.Key, c => c.Value?.ToString() ?? "", StringComparer.Ordinal);
        return new EdgeIdentity(claims.GetValueOrDefault("sub") ?? "", claims);
    }

    private static string Reason(Exception? e) => e switch
    {
        SecurityTokenExpiredException => "expired",
        SecurityTokenNotYetValidException => "not valid yet",
        SecurityTokenInvalidSignatureException or SecurityTokenSignatureKeyNotFoundException => "bad signature",
        SecurityTokenInvalidIssuerException => "wrong issuer",
        SecurityTokenInvalidAudienceException => "wrong audience",
        SecurityTokenNoExpirationException => "no expiry",
        SecurityTokenMalformedException or ArgumentException => "malformed",
        _ => "rejected",
    };

    private static SecurityKey SigningKey(JwtOptions options)
    {
        if (options.Secret is { } secret)
        {
            var bytes = Encoding.UTF8.GetBytes(secret);
            return bytes.Length >= 32
                ? new SymmetricSecurityKey(bytes)
                : throw new ArgumentException($"--auth_jwt_secret must be at least 32 bytes (it is {bytes.Length})");
        }

        if (options.PublicKeyPath is { } path)
        {
            if (!File.Exists(path))
            {
                throw new ArgumentException($"--auth_jwt_key {path}: no such file");
            }

            var pem = File.ReadAllText(path);
            try
            {
                var rsa = RSA.Create();
                rsa.ImportFromPem(pem);
                return new RsaSecurityKey(rsa);
            }
            catch (ArgumentException)
            {
                var ec = ECDsa.Create();
                ec.ImportFromPem(pem);
                return new ECDsaSecurityKey(ec);
            }
        }

        throw new ArgumentException("--auth jwt needs --auth_jwt_secret (HMAC) or --auth_jwt_key (PEM public key)");
    }
}
