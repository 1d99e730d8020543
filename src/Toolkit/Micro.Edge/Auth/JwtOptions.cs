using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Micro.Edge.Auth;

/// <summary>How bearer JWTs are checked: the signing key (an HMAC secret or a PEM public key), issuer and audience.</summary>
public sealed record JwtOptions
{
    /// <summary><c>--auth_jwt_secret</c>: HMAC (HS256/384/512) secret, at least 32 bytes.</summary>
    public string? Secret { get; init; }

    /// <summary><c>--auth_jwt_key</c>: path of a PEM public key (RSA or EC) for RS*/PS*/ES* tokens.</summary>
    public string? PublicKeyPath { get; init; }

    /// <summary><c>--auth_jwt_issuer</c>: required <c>iss</c>; null accepts any.</summary>
    public string? Issuer { get; init; }

    /// <summary>
    /// <c>--auth_jwt_audience</c>: the <c>aud</c> tokens must carry; required, since a token minted for another service
    /// of the same issuer would otherwise be accepted. <see cref="AnyAudience"/> (<c>any</c>) accepts every audience, knowingly.
    /// </summary>
    public string? Audience { get; init; }

    public const string AnyAudience = "any";

    /// <summary>Tolerated clock difference for <c>exp</c> and <c>nbf</c>.</summary>
    public TimeSpan ClockSkew { get; init; } = TimeSpan.FromSeconds(30);
}
