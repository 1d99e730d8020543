using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Micro.Edge.Auth;
using Micro.Hosting;
using Micro.Registry;
using Micro.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Micro.Web.Tests;

/// <summary>micro web --auth: sign-in with an API key, a cookie for the browser, 401 for the API, the identity passed on.</summary>
public sealed class SignInTests : IAsyncLifetime
{
    private const string Key = "k-7d1f0e-signin-test-key";
    private readonly string _registry = Path.Combine(Path.GetTempPath(), "micro-web-signin", Guid.NewGuid().ToString("N"));
    private MicroEnvironment _environment = null!;
    private DashboardServer _dashboard = null!;
    private TestKit _kit = null!;
    private WebApplication _app = null!;

    public async Task InitializeAsync()
    {
        _environment = MicroEnvironment.Create(MicroSettings.Default with { Registry = "local", RegistryAddress = _registry });
        _dashboard = await DashboardServer.StartAsync(new WebOptions { Address = "127.0.0.1:0", Authenticator = new ApiKeyAuthenticator(["alice=" + Key]) }, _environment);
        _kit = new TestKit(_environment.Registry);
        await _kit.StartServerAsync("whoami", new WhoAmI());
        (_app, var address) = await Micro.Transport.Http.KestrelEndpoint.StartAsync(new IPEndPoint(IPAddress.Loopback, 0),
            app => app.Run(context => context.Response.WriteAsync($"cookie=[{context.Request.Headers.Cookie}] authorization=[{context.Request.Headers.Authorization}]")));
        await _environment.Registry.RegisterAsync(new Service { Name = "go.micro.web.echo", Nodes = [new Node { Id = "echo-1", Address = address }] }, TimeSpan.FromMinutes(5));
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _kit.DisposeAsync();
        await _dashboard.DisposeAsync();
        await _environment.DisposeAsync();
        Directory.Delete(_registry, recursive: true);
    }

    private HttpClient Browser(CookieContainer? cookies = null)
    {
        var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = cookies ?? new CookieContainer() }) { BaseAddress = new Uri("http://" + _dashboard.Address) };
        http.DefaultRequestHeaders.Accept.ParseAdd("text/html");
        return http;
    }

    /// <summary>The CSRF token a dashboard page carries for its requests.</summary>
    private static string CsrfOf(string page)
        => System.Text.RegularExpressions.Regex.Match(page, "<meta name=\"micro-csrf\" content=\"([^\"]+)\">").Groups[1].Value;

    private static FormUrlEncodedContent Form(string credential, string returnTo)
        => new(new Dictionary<string, string> { ["credential"] = credential, ["return"] = returnTo });

    [Fact]
    public async Task Pages_redirect_to_the_sign_in_and_the_api_and_feed_answer_401()
    {
        using var browser = Browser();
        var page = await browser.GetAsync("/service/whoami?x=1");
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.Equal("/signin?return=%2Fservice%2Fwhoami%3Fx%3D1", page.Headers.Location!.OriginalString);

        using var api = new HttpClient { BaseAddress = new Uri("http://" + _dashboard.Address) };
        foreach (var path in new[] { "/api/services", "/events" })
        {
            var refused = await api.GetAsync(path);
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            Assert.Contains("sign in at /signin", await refused.Content.ReadAsStringAsync());
            Assert.Equal("Bearer", refused.Headers.WwwAuthenticate.Single().Scheme); // the challenge survives the error reply
        }

        var form = await browser.GetAsync("/signin");
        Assert.Equal(HttpStatusCode.OK, form.StatusCode);
        Assert.Contains("API key or token", await form.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/static/app.css")).StatusCode); // the sign-in page's style
    }

    [Fact]
    public async Task A_wrong_key_is_refused_and_a_right_one_sets_a_strict_http_only_cookie_that_opens_everything()
    {
        var cookies = new CookieContainer();
        using var browser = Browser(cookies);
        var wrong = await browser.PostAsync("/signin", Form("k-wrong", "/apps"));
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        var wrongPage = await wrong.Content.ReadAsStringAsync();
        Assert.Contains("the API key is not valid", wrongPage);
        Assert.DoesNotContain("k-wrong", wrongPage);

        var ok = await browser.PostAsync("/signin", Form(Key, "/apps"));
        Assert.Equal(HttpStatusCode.SeeOther, ok.StatusCode);
        Assert.Equal("/apps", ok.Headers.Location!.OriginalString);
        var setCookie = ok.Headers.GetValues("Set-Cookie").Single();
        Assert.Contains("httponly", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", setCookie, StringComparison.OrdinalIgnoreCase);

        var apps = await browser.GetStringAsync("/apps");
        Assert.Contains("alice", apps); // who is signed in, beside the sign-out button
        Assert.Contains("Sign out", apps);
        Assert.Contains("echo", await browser.GetStringAsync("/api/apps"));

        var signOut = await browser.PostAsync("/signout", new FormUrlEncodedContent(new Dictionary<string, string> { ["csrf"] = CsrfOf(apps) }));
        Assert.Equal(HttpStatusCode.SeeOther, signOut.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await browser.GetAsync("/apps")).StatusCode);
    }

    [Fact]
    public async Task Scripts_may_send_the_key_as_a_bearer_token()
    {
        using var api = new HttpClient { BaseAddress = new Uri("http://" + _dashboard.Address) };
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Key);
        Assert.Contains("whoami", await api.GetStringAsync("/api/services"));
    }

    [Fact]
    public async Task The_call_form_passes_who_is_signed_in_and_web_apps_never_see_the_credential()
    {
        using var browser = Browser();
        Assert.Equal(HttpStatusCode.SeeOther, (await browser.PostAsync("/signin", Form(Key, "/"))).StatusCode);

        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/call") { Content = JsonContent.Create(new { service = "whoami", endpoint = "WhoAmI.Get", request = "{}" }) };
        request.Headers.Add("X-Micro-Csrf", CsrfOf(await browser.GetStringAsync("/")));
        var call = await browser.SendAsync(request);
        var reply = await call.Content.ReadAsStringAsync();
        Assert.True(call.IsSuccessStatusCode, reply);
        Assert.Contains("alice", reply);

        var echoed = await browser.GetStringAsync("/echo/");
        Assert.DoesNotContain(Key, echoed);
        Assert.Contains("authorization=[]", echoed);
    }

    [Theory]
    [InlineData("/apps", "/apps")]
    [InlineData("//evil.example/x", "/")]
    [InlineData("/\\evil.example", "/")]
    [InlineData("https://evil.example/", "/")]
    [InlineData("", "/")]
    public void The_return_path_after_sign_in_never_leaves_the_dashboard(string given, string used)
        => Assert.Equal(used, DashboardSignIn.SafeReturn(given));

    public sealed record Empty;

    public sealed record Who(string User);

    public sealed class WhoAmI
    {
        public Task<Who> Get(Empty request, CancellationToken cancellationToken)
            => Task.FromResult(new Who(CallContext.Current?.Metadata.GetValueOrDefault("Micro-User") ?? "nobody"));
    }
}
