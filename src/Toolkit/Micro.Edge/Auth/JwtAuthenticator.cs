using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Micro.Edge.Auth;

/// <summary>The built-in JWT validator (Microsoft.IdentityModel): signature, lifetime, issuer and audience.</summary>
public sealed class JwtAuthenticator : IEdgeAuthenticator
{
    private readonly JsonWebTokenHandler _handler = new();
    private readonly TokenValidationParameters _parameters;

    public JwtAuthenticator(JwtOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var key = SigningKey(options);
        if (string.IsNullOrWhiteSpace(options.Audience))
        {
            throw new ArgumentException("--auth jwt needs --auth_jwt_audience (the aud your tokens carry), or --auth_jwt_audience any to accept tokens for any audience");
        }

        var anyAudience = options.Audience == JwtOptions.AnyAudience;
        _parameters = new TokenValidationParameters
        {
            IssuerSigningKey = key,
            // Pinned to the key's kind: an HMAC key never checks an RS/ES token and a public key never an HS one.
            ValidAlgorithms = key switch
            {
                SymmetricSecurityKey => [SecurityAlgorithms.HmacSha256, SecurityAlgorithms.HmacSha384, SecurityAlgorithms.HmacSha512],
                RsaSecurityKey => [SecurityAlgorithms.RsaSha256, SecurityAlgorithms.RsaSha384, SecurityAlgorithms.RsaSha512,
                    SecurityAlgorithms.RsaSsaPssSha256, SecurityAlgorithms.RsaSsaPssSha384, SecurityAlgorithms.RsaSsaPssSha512],
                _ => [SecurityAlgorithms.EcdsaSha256, SecurityAlgorithms.EcdsaSha384, SecurityAlgorithms.EcdsaSha512],
            },
            ValidateIssuerSigningKey = true,
            RequireSignedTokens = true,
            RequireExpirationTime = true,
            ValidateLifetime = true,
            ClockSkew = options.ClockSkew,
            ValidateIssuer = options.Issuer is not null,
            ValidIssuer = options.Issuer,
            ValidateAudience = !anyAudience,
            ValidAudience = anyAudience ? null : options.Audience,
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
        if (claims.GetValueOrDefault("sub") is not { Length: > 0 } subject)
        {
            failure("the token is not valid: no sub (who it is for)"); // an identity with no name would be Micro-User ""
            return null;
        }

        return new EdgeIdentity(subject, claims);
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
        SecurityTokenInvalidAlgorithmException => "algorithm not accepted for this key",
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
