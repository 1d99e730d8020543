using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Micro.Edge.Auth;
using Micro.Hosting;
using Micro.Registry;
using Micro.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;

namespace Micro.Web.Tests;

/// <summary>
/// What the dashboard keeps from a web page in the operator's browser, from a registered web app and from a terminal
/// user: files, forged identities, unregistered or link-local addresses, the session cookie, cross-site requests.
/// </summary>
public sealed partial class DashboardSecurityTests : IAsyncLifetime
{
    private const string Key = "k-dashboard-security-4e7a1b";
    private const string Secret = "s3cret-terminal-line-2c8d";
    private readonly string _registry = Path.Combine(Path.GetTempPath(), "micro-web-security", Guid.NewGuid().ToString("N"));
    private readonly string _secretFile = Path.Combine(Path.GetTempPath(), "micro-web-secret-" + Guid.NewGuid().ToString("N"));
    private MicroEnvironment _environment = null!;
    private DashboardServer _open = null!;
    private DashboardServer _signedIn = null!;
    private TestKit _kit = null!;
    private WebApplication _app = null!;

    public async Task InitializeAsync()
    {
        await File.WriteAllTextAsync(_secretFile, Secret + "\n");
        _environment = MicroEnvironment.Create(MicroSettings.Default with { Registry = "local", RegistryAddress = _registry });
        _open = await DashboardServer.StartAsync(new WebOptions { Address = "127.0.0.1:0" }, _environment);
        _signedIn = await DashboardServer.StartAsync(new WebOptions { Address = "127.0.0.1:0", Authenticator = new ApiKeyAuthenticator(["alice=" + Key]) }, _environment);
        _kit = new TestKit(_environment.Registry);
        await _kit.StartServerAsync("who", new WhoCalls());
        // A web app that shows what it was sent and tries to set the dashboard's cookie.
        (_app, var address) = await Micro.Transport.Http.KestrelEndpoint.StartAsync(new IPEndPoint(IPAddress.Loopback, 0), app => app.Run(context =>
        {
            context.Response.Headers.Append("Set-Cookie", "micro_dashboard=stolen; Path=/");
            context.Response.Headers.Append("Set-Cookie", "app_pref=dark; Path=/evil");
            var h = context.Request.Headers;
            return context.Response.WriteAsync($"cookie=[{h.Cookie}] authorization=[{h.Authorization}] apikey=[{h["X-Api-Key"]}] user=[{h["Micro-User"]}] from=[{h["Micro-From-Service"]}]");
        }));
        await _environment.Registry.RegisterAsync(new Service { Name = "go.micro.web.evil", Nodes = [new Node { Id = "evil-1", Address = address }] }, TimeSpan.FromMinutes(5));
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _kit.DisposeAsync();
        await _signedIn.DisposeAsync();
        await _open.DisposeAsync();
        await _environment.DisposeAsync();
        Directory.Delete(_registry, recursive: true);
        File.Delete(_secretFile);
    }

    private static HttpClient Client(DashboardServer dashboard, CookieContainer? cookies = null)
        => new(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = cookies ?? new CookieContainer(), UseCookies = true }) { BaseAddress = new Uri("http://" + dashboard.Address) };

    private static async Task<string> TerminalAsync(HttpClient http, string line, string? csrf = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/terminal") { Content = JsonContent.Create(new { line }) };
        if (csrf is not null)
        {
            request.Headers.Add("X-Micro-Csrf", csrf);
        }

        var reply = await http.SendAsync(request);
        var text = await reply.Content.ReadAsStringAsync();
        Assert.True(reply.IsSuccessStatusCode, text);
        return JsonDocument.Parse(text).RootElement.GetProperty("output").GetString()!;
    }

    /// <summary>Signs in as a browser would and returns the page's CSRF token.</summary>
    private async Task<string> SignInAsync(HttpClient browser)
    {
        var signIn = await browser.PostAsync("/signin", new FormUrlEncodedContent(new Dictionary<string, string> { ["credential"] = Key, ["return"] = "/" }));
        Assert.Equal(HttpStatusCode.SeeOther, signIn.StatusCode);
        return TokenOf(await browser.GetStringAsync("/terminal"));
    }

    private static string TokenOf(string page) => CsrfMeta().Match(page) is { Success: true } m ? m.Groups[1].Value : throw new InvalidOperationException("no CSRF token in the page");

    [GeneratedRegex("<meta name=\"micro-csrf\" content=\"([^\"]+)\">")]
    private static partial Regex CsrfMeta();

    [Fact]
    public async Task The_terminal_takes_an_at_argument_literally_and_reads_no_file()
    {
        using var http = Client(_open);
        foreach (var line in new[] { $"get service @{_secretFile}", $"health @{_secretFile}", $"stats @{_secretFile}" })
        {
            var output = await TerminalAsync(http, line);
            Assert.DoesNotContain(Secret, output, StringComparison.Ordinal);
            Assert.Contains("@" + _secretFile, output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task The_terminal_refuses_micro_metadata_and_calls_carry_who_is_signed_in()
    {
        using var open = Client(_open);
        var forged = await TerminalAsync(open, "call who WhoCalls.Who {} --metadata Micro-User=admin");
        Assert.Contains("Micro-* metadata is set by Micro itself", forged, StringComparison.Ordinal);
        Assert.DoesNotContain("user=admin", forged, StringComparison.Ordinal);
        Assert.Contains("user=none", await TerminalAsync(open, "call who WhoCalls.Who {}"), StringComparison.Ordinal);

        using var script = Client(_signedIn);
        script.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Key);
        Assert.Contains("user=alice", await TerminalAsync(script, "call who WhoCalls.Who {}"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_terminal_reaches_only_registered_nodes()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var http = Client(_open);
        var output = await TerminalAsync(http, $"call who WhoCalls.Who {{}} --address {listener.LocalEndpoint}");
        Assert.Contains("is not a registered node of who", output, StringComparison.Ordinal);
        Assert.False(listener.Pending());
    }

    [Fact]
    public async Task A_web_app_cannot_set_the_dashboard_cookie_and_runs_sandboxed()
    {
        using var http = Client(_open);
        var reply = await http.GetAsync("/evil/");
        Assert.Equal(HttpStatusCode.OK, reply.StatusCode);
        var cookies = reply.Headers.GetValues("Set-Cookie").ToArray();
        Assert.DoesNotContain(cookies, c => c.StartsWith("micro_dashboard=", StringComparison.Ordinal));
        Assert.Contains(cookies, c => c.StartsWith("app_pref=dark", StringComparison.Ordinal)); // its own cookies are its business
        Assert.Contains(reply.Headers.GetValues("Content-Security-Policy"), p => p.StartsWith("sandbox ", StringComparison.Ordinal) && !p.Contains("allow-same-origin", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_web_app_gets_no_credential_no_session_cookie_and_no_forged_micro_header()
    {
        var jar = new CookieContainer();
        using var browser = Client(_signedIn, jar);
        await SignInAsync(browser);
        jar.Add(new Uri("http://" + _signedIn.Address), new Cookie("app_pref", "dark"));
        using var request = new HttpRequestMessage(HttpMethod.Get, "/evil/");
        request.Headers.Add("X-Api-Key", Key);
        request.Headers.Add("Micro-User", "admin");
        request.Headers.Add("Micro-From-Service", "billing");
        var echoed = await (await browser.SendAsync(request)).Content.ReadAsStringAsync();
        Assert.DoesNotContain(Key, echoed, StringComparison.Ordinal);
        Assert.DoesNotContain("micro_dashboard", echoed, StringComparison.Ordinal);
        Assert.Contains("cookie=[app_pref=dark]", echoed, StringComparison.Ordinal);
        Assert.Contains("user=[alice]", echoed, StringComparison.Ordinal); // who is signed in, set by the dashboard
        Assert.Contains("from=[]", echoed, StringComparison.Ordinal);

        using var bearer = Client(_signedIn);
        bearer.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Key);
        Assert.Contains("authorization=[]", await bearer.GetStringAsync("/evil/"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_session_cookie_holds_no_credential_and_sign_out_revokes_it()
    {
        var jar = new CookieContainer();
        using var browser = Client(_signedIn, jar);
        var csrf = await SignInAsync(browser);
        var session = jar.GetCookies(new Uri("http://" + _signedIn.Address))["micro_dashboard"]!;
        Assert.NotEqual(Key, session.Value);
        Assert.DoesNotContain(Key, Uri.UnescapeDataString(session.Value), StringComparison.Ordinal);
        Assert.True(session.Expires > DateTime.Now.AddHours(11) && session.Expires < DateTime.Now.AddHours(13), session.Expires.ToString("O"));

        var signOut = await browser.PostAsync("/signout", new FormUrlEncodedContent(new Dictionary<string, string> { ["csrf"] = csrf }));
        Assert.Equal(HttpStatusCode.SeeOther, signOut.StatusCode);

        using var replay = Client(_signedIn); // the old cookie, sent again after sign-out
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/services");
        request.Headers.Add("Cookie", "micro_dashboard=" + session.Value);
        var refused = await replay.SendAsync(request);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Contains("the session ended", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_session_expires_after_its_lifetime_and_never_outlives_its_token()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-12-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var sessions = new DashboardSessions(TimeSpan.FromHours(12), time);
        var (id, _) = sessions.Start(new EdgeIdentity("alice", new Dictionary<string, string>()));
        time.Advance(TimeSpan.FromHours(11));
        Assert.NotNull(sessions.Find(id));
        time.Advance(TimeSpan.FromHours(1));
        Assert.Null(sessions.Find(id));

        var exp = (time.GetUtcNow() + TimeSpan.FromHours(1)).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var (jwt, session) = sessions.Start(new EdgeIdentity("bob", new Dictionary<string, string> { ["exp"] = exp }));
        Assert.Equal(time.GetUtcNow() + TimeSpan.FromHours(1), session.Expires);
        time.Advance(TimeSpan.FromHours(1));
        Assert.Null(sessions.Find(jwt));
    }

    [Fact]
    public async Task A_signed_in_browser_needs_the_pages_csrf_token_to_change_anything()
    {
        using var browser = Client(_signedIn);
        var csrf = await SignInAsync(browser);
        using (var noToken = new HttpRequestMessage(HttpMethod.Post, "/api/call") { Content = JsonContent.Create(new { service = "who", endpoint = "WhoCalls.Who", request = "{}" }) })
        {
            var refused = await browser.SendAsync(noToken);
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            Assert.Contains("CSRF token", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using var withToken = new HttpRequestMessage(HttpMethod.Post, "/api/call") { Content = JsonContent.Create(new { service = "who", endpoint = "WhoCalls.Who", request = "{}" }) };
        withToken.Headers.Add("X-Micro-Csrf", csrf);
        var ok = await browser.SendAsync(withToken);
        Assert.Contains("user=alice", await ok.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, (await browser.PostAsync("/signout", null)).StatusCode); // sign-out too: no token, no effect
    }

    [Fact]
    public async Task Without_sign_in_a_browser_still_needs_the_token_and_programs_do_not()
    {
        using var http = Client(_open);
        var csrf = TokenOf(await http.GetStringAsync("/terminal"));
        using var fromPage = new HttpRequestMessage(HttpMethod.Post, "/api/terminal") { Content = JsonContent.Create(new { line = "list services" }) };
        fromPage.Headers.Add("Origin", "http://" + _open.Address);
        fromPage.Headers.Add("Sec-Fetch-Site", "same-origin");
        Assert.Equal(HttpStatusCode.Forbidden, (await http.SendAsync(fromPage)).StatusCode);
        Assert.Contains("who", await TerminalAsync(http, "list services", csrf), StringComparison.Ordinal);
        Assert.Contains("who", await TerminalAsync(http, "list services"), StringComparison.Ordinal); // curl, scripts
    }

    [Theory]
    [InlineData("text/plain", null, null, HttpStatusCode.UnsupportedMediaType)]
    [InlineData("application/x-www-form-urlencoded", null, null, HttpStatusCode.UnsupportedMediaType)]
    [InlineData("application/json", "http://evil.example", null, HttpStatusCode.Forbidden)]
    [InlineData("application/json", "null", null, HttpStatusCode.Forbidden)]
    [InlineData("application/json", null, "evil.example", HttpStatusCode.Forbidden)]
    public async Task Cross_site_and_rebound_requests_are_refused_before_anything_runs(string contentType, string? origin, string? host, HttpStatusCode status)
    {
        using var http = Client(_open);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/call")
        {
            Content = new StringContent("""{"service":"who","endpoint":"WhoCalls.Who","request":"{}"}""", Encoding.UTF8, contentType),
        };
        if (origin is not null)
        {
            request.Headers.Add("Origin", origin);
        }

        if (host is not null)
        {
            request.Headers.Host = host + ":" + new Uri("http://" + _open.Address).Port;
        }

        var reply = await http.SendAsync(request);
        var text = await reply.Content.ReadAsStringAsync();
        Assert.Equal(status, reply.StatusCode);
        Assert.DoesNotContain("user=", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_rebound_host_cannot_read_either()
    {
        using var http = Client(_open);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/services");
        request.Headers.Host = "attacker.example";
        var reply = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Forbidden, reply.StatusCode);
        Assert.Contains("DNS rebinding", await reply.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var named = new HttpRequestMessage(HttpMethod.Get, "/api/services");
        named.Headers.Host = "localhost:" + new Uri("http://" + _open.Address).Port;
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(named)).StatusCode);
    }

    [Fact]
    public async Task Web_apps_can_have_their_own_origin_and_still_never_get_or_set_the_dashboard_cookie()
    {
        await using var split = await DashboardServer.StartAsync(new WebOptions { Address = "127.0.0.1:0", AppsAddress = "127.0.0.1:0" }, _environment);
        Assert.NotNull(split.AppsAddress);
        Assert.NotEqual(split.Address, split.AppsAddress);
        using var http = Client(split);
        var moved = await http.GetAsync("/evil/page?x=1");
        Assert.Equal(HttpStatusCode.TemporaryRedirect, moved.StatusCode);
        Assert.Equal($"http://{split.AppsAddress}/evil/page?x=1", moved.Headers.Location!.ToString());
        Assert.Contains($"http://{split.AppsAddress}/evil", await http.GetStringAsync("/api/apps"), StringComparison.Ordinal);

        using var apps = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://{split.AppsAddress}/evil/");
        request.Headers.Add("Cookie", "micro_dashboard=session-id; app_pref=dark"); // cookies do not keep to a port
        var reply = await apps.SendAsync(request);
        var text = await reply.Content.ReadAsStringAsync();
        Assert.Contains("cookie=[app_pref=dark]", text, StringComparison.Ordinal);
        Assert.DoesNotContain(reply.Headers.GetValues("Set-Cookie"), c => c.StartsWith("micro_dashboard=", StringComparison.Ordinal));
        Assert.False(reply.Headers.Contains("Content-Security-Policy")); // its own origin: no sandbox needed
        Assert.Equal(HttpStatusCode.NotFound, (await apps.GetAsync($"http://{split.AppsAddress}/api/services")).StatusCode); // no dashboard there
    }

    [Fact]
    public async Task The_terminals_publish_leaves_the_dashboards_shared_broker_connected()
    {
        var topic = "terminal." + Guid.NewGuid().ToString("N")[..8];
        var got = new System.Collections.Concurrent.ConcurrentQueue<string>();
        await using var sub = await _environment.Broker.SubscribeAsync(topic, (e, _) =>
        {
            got.Enqueue(Encoding.UTF8.GetString(e.Message.Body.Span));
            return ValueTask.CompletedTask;
        });
        using var http = Client(_open);
        Assert.Contains("published", await TerminalAsync(http, $$"""publish {{topic}} {"n":1}"""), StringComparison.Ordinal);
        Assert.Contains("published", await TerminalAsync(http, $$"""publish {{topic}} {"n":2}"""), StringComparison.Ordinal);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (got.Count < 2)
        {
            Assert.True(DateTime.UtcNow < deadline, $"delivered: {string.Join(", ", got)}"); // a disconnect would have ended this subscription
            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task Metrics_are_only_sampled_for_services_that_exist()
    {
        using var http = Client(_open);
        var reply = await http.GetAsync("/api/metrics/no-such-" + Guid.NewGuid().ToString("N"));
        Assert.Equal(HttpStatusCode.NotFound, reply.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/api/metrics/who")).StatusCode);
    }

    [Fact]
    public async Task Listening_beyond_loopback_without_auth_is_refused_unless_insecure()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => DashboardServer.StartAsync(new WebOptions { Address = "0.0.0.0:0" }, _environment));
        Assert.Contains("--insecure", error.Message, StringComparison.Ordinal);
        Assert.Contains("--auth", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_web_app_registered_at_a_metadata_address_is_refused_without_a_connection()
    {
        await _environment.Registry.RegisterAsync(new Service { Name = "go.micro.web.meta", Nodes = [new Node { Id = "m", Address = "169.254.169.254:80" }] }, TimeSpan.FromMinutes(5));
        using var http = Client(_open);
        var reply = await http.GetAsync("/meta/latest/meta-data/");
        var text = await reply.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadGateway, reply.StatusCode);
        Assert.Contains("refused to connect to 169.254.169.254:80", text, StringComparison.Ordinal); // the dial guard, before any socket
        Assert.Contains("--allow_link_local", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_web_app_registered_with_a_path_in_its_address_is_never_dialled()
    {
        await _environment.Registry.RegisterAsync(new Service { Name = "go.micro.web.pathy", Nodes = [new Node { Id = "p", Address = "127.0.0.1:9/x?y=" }] }, TimeSpan.FromMinutes(5));
        using var http = Client(_open);
        var reply = await http.GetAsync("/pathy/");
        Assert.Equal(HttpStatusCode.NotFound, reply.StatusCode); // the node is left out of selection: no valid node
    }
}
