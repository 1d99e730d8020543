using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Micro.Edge.Auth;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Micro.Api.Tests;

public sealed class GatewayAuthTests
{
    private const string Secret = "a-test-secret-that-is-at-least-32-bytes!";

    private static string Token(string secret = Secret, string issuer = "micro-tests", DateTime? expires = null, string audience = "gateway", string? subject = "alice")
        => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Subject = new System.Security.Claims.ClaimsIdentity(subject is null ? [new System.Security.Claims.Claim("name", "nobody")] : [new System.Security.Claims.Claim("sub", subject)]),
            Issuer = issuer,
            Audience = audience,
            NotBefore = (expires ?? DateTime.UtcNow.AddMinutes(5)).AddMinutes(-10),
            Expires = expires ?? DateTime.UtcNow.AddMinutes(5),
            IssuedAt = (expires ?? DateTime.UtcNow.AddMinutes(5)).AddMinutes(-10),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(secret)), SecurityAlgorithms.HmacSha256),
        });

    private static async Task<(HttpStatusCode Status, string Body, HttpResponseMessage Response)> Call(GatewayFixture gw, string? bearer)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/greeter/hello") { Content = new StringContent("""{"name":"John"}""", Encoding.UTF8, "application/json") };
        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        var response = await gw.Http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(), response);
    }

    [Fact]
    public async Task A_jwt_audience_is_required_unless_any_is_said()
    {
        var error = Assert.Throws<ArgumentException>(() => new JwtAuthenticator(new JwtOptions { Secret = Secret }));
        Assert.Contains("--auth_jwt_audience", error.Message, StringComparison.Ordinal);
        await using var gw = await GatewayFixture.StartAsync(new ApiOptions { Authenticator = new JwtAuthenticator(new JwtOptions { Secret = Secret, Audience = JwtOptions.AnyAudience }) });
        Assert.Equal(HttpStatusCode.OK, (await Call(gw, Token(audience: "billing"))).Status);
    }

    [Fact]
    public async Task A_valid_jwt_is_let_in_and_a_missing_forged_expired_or_foreign_one_is_a_401_saying_why()
    {
        var jwt = new JwtAuthenticator(new JwtOptions { Secret = Secret, Issuer = "micro-tests", Audience = "gateway" });
        await using var gw = await GatewayFixture.StartAsync(new ApiOptions { Authenticator = jwt });

        var ok = await Call(gw, Token());
        Assert.Equal(HttpStatusCode.OK, ok.Status);
        Assert.Contains("Hello John", ok.Body);
        Assert.Equal("nosniff", ok.Response.Headers.GetValues("X-Content-Type-Options").Single());

        foreach (var (token, reason) in new (string?, string)[]
        {
            (null, "no token"),
            (Token(secret: "another-secret-that-is-at-least-32-bytes"), "bad signature"),
            (Token(expires: DateTime.UtcNow.AddMinutes(-5)), "expired"),
            (Token(issuer: "someone-else"), "wrong issuer"),
            (Token(audience: "billing"), "wrong audience"),
            (Token(subject: null), "no sub"),
            ("not.a.jwt", "malformed"),
        })
        {
            var refused = await Call(gw, token);
            Assert.Equal(HttpStatusCode.Unauthorized, refused.Status);
            Assert.Contains(reason, refused.Body);
            Assert.Contains("\"code\":401", refused.Body);
            Assert.Equal("Bearer", refused.Response.Headers.WwwAuthenticate.Single().Scheme);
            if (token is not null)
            {
                Assert.DoesNotContain(token, refused.Body); // the credential is never echoed
            }
        }
    }

    [Fact]
    public async Task Services_learn_who_called_from_Micro_User_and_never_see_the_credential()
    {
        await using var gw = await GatewayFixture.StartAsync(new ApiOptions { Authenticator = new ApiKeyAuthenticator(["ci=k-123-ci-0123456789"]) });
        foreach (var viaHeader in new[] { false, true })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/greeter/caller") { Content = new StringContent("{}", Encoding.UTF8, "application/json") };
            request.Headers.Add("Micro-User", "mallory"); // a caller cannot claim to be someone
            if (viaHeader)
            {
                request.Headers.Add("X-Api-Key", "k-123-ci-0123456789");
            }
            else
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "k-123-ci-0123456789");
            }

            var response = await gw.Http.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Contains("user=ci;authorization=False;apikey=False", await response.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task Without_auth_the_gateway_sets_no_user_and_keeps_credentials_at_the_edge()
    {
        await using var gw = await GatewayFixture.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/greeter/caller") { Content = new StringContent("{}", Encoding.UTF8, "application/json") };
        request.Headers.Add("Micro-User", "mallory");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "for-the-service");
        var response = await gw.Http.SendAsync(request);
        Assert.Contains("user=;authorization=False", await response.Content.ReadAsStringAsync()); // a credential is never a service's to replay
    }

    [Fact]
    public async Task Api_keys_are_checked_and_named()
    {
        await using var gw = await GatewayFixture.StartAsync(new ApiOptions { Authenticator = new ApiKeyAuthenticator(["ci=k-123-ci-0123456789", "k-456-ci-0123456789"]) });
        Assert.Equal(HttpStatusCode.OK, (await Call(gw, "k-123-ci-0123456789")).Status);
        Assert.Equal(HttpStatusCode.OK, (await Call(gw, "k-456-ci-0123456789")).Status);
        var wrong = await Call(gw, "k-789");
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.Status);
        Assert.Contains("the API key is not valid", wrong.Body);

        using var byHeader = new HttpRequestMessage(HttpMethod.Post, "/greeter/hello") { Content = new StringContent("{}", Encoding.UTF8, "application/json") };
        byHeader.Headers.Add("X-Api-Key", "k-456-ci-0123456789");
        Assert.Equal(HttpStatusCode.OK, (await gw.Http.SendAsync(byHeader)).StatusCode);
    }

    [Fact]
    public void Configuration_errors_name_what_is_missing()
    {
        Assert.Contains("--auth_jwt_secret must be at least 32 bytes", Assert.Throws<ArgumentException>(() => EdgeAuthentication.Create("jwt", null, new JwtOptions { Secret = "short" })).Message);
        Assert.Contains("needs --auth_jwt_secret (HMAC) or --auth_jwt_key", Assert.Throws<ArgumentException>(() => EdgeAuthentication.Create("jwt", null, new JwtOptions())).Message);
        Assert.Contains("at least one key", Assert.Throws<ArgumentException>(() => EdgeAuthentication.Create("api_key", "", new JwtOptions())).Message);
        Assert.Contains("expected none, api_key or jwt", Assert.Throws<ArgumentException>(() => EdgeAuthentication.Create("basic", null, new JwtOptions())).Message);
        Assert.Null(EdgeAuthentication.Create(null, null, new JwtOptions()));
    }
}

public sealed class GatewayTlsTests
{
    [Fact]
    public async Task The_gateway_serves_https_and_with_a_client_ca_requires_client_certificates()
    {
        var ca = TestPki.Authority("edge CA");
        await using var gw = await GatewayFixture.StartAsync(new ApiOptions { Tls = TestPki.Mutual(ca, "gateway") });
        var caCert = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificate(ca.RawData);

        HttpClient Client(bool withCertificate)
        {
            var handler = new SocketsHttpHandler();
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) =>
            {
                using var chain = new System.Security.Cryptography.X509Certificates.X509Chain();
                chain.ChainPolicy.TrustMode = System.Security.Cryptography.X509Certificates.X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.Add(caCert);
                chain.ChainPolicy.RevocationMode = System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck;
                return certificate is not null && chain.Build(System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
            };
            if (withCertificate)
            {
                handler.SslOptions.ClientCertificates = [TestPki.Leaf(ca, "caller")];
            }

            return new HttpClient(handler) { BaseAddress = new Uri("https://" + gw.Address) };
        }

        using var trusted = Client(withCertificate: true);
        var reply = await trusted.PostAsync("/greeter/hello", new StringContent("""{"name":"tls"}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, reply.StatusCode);
        Assert.Contains("Hello tls", await reply.Content.ReadAsStringAsync());

        using var anonymous = Client(withCertificate: false);
        await Assert.ThrowsAsync<HttpRequestException>(() => anonymous.PostAsync("/greeter/hello", new StringContent("{}", Encoding.UTF8, "application/json")));
    }
}
