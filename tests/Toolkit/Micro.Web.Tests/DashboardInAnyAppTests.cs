using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Micro.Edge.Auth;
using Micro.Registry;
using Micro.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Micro.Web.Tests;

/// <summary>The dashboard as a building block of one ASP.NET Core app: under a prefix, beside the app's own endpoints.</summary>
public sealed class DashboardInAnyAppTests
{
    private const string Key = "in-app-dashboard-key-7c41";

    private static WebOptions SignedIn => new() { Authenticator = new ApiKeyAuthenticator(["alice=" + Key]) };

    [Fact]
    public async Task The_dashboard_lives_under_its_prefix_and_every_link_it_draws_stays_there()
    {
        await using var app = InAppHost.Create(s => s.AddMicroDashboard(SignedIn), a => a.MapMicroDashboard("/ops"));
        await app.StartAsync();
        using var http = InAppHost.ClientOf(app);
        Assert.Equal("mine", await http.GetStringAsync("/"));

        using var page = new HttpRequestMessage(HttpMethod.Get, "/ops/");
        page.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Key);
        using var shell = await http.SendAsync(page);
        var html = await shell.Content.ReadAsStringAsync();
        Assert.True(shell.StatusCode == HttpStatusCode.OK, html);
        Assert.Contains("data-base=\"/ops\"", html, StringComparison.Ordinal);
        Assert.Contains("src=\"/ops/static/app.js\"", html, StringComparison.Ordinal);
        Assert.Contains("href=\"/ops/static/app.css\"", html, StringComparison.Ordinal);
        Assert.Contains("href=\"/ops/apps\"", html, StringComparison.Ordinal);
        Assert.Contains("action=\"/ops/signout\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("href=\"/static", html, StringComparison.Ordinal);
        Assert.Equal("DENY", shell.Headers.GetValues("X-Frame-Options").Single());

        using var services = new HttpRequestMessage(HttpMethod.Get, "/ops/api/services");
        services.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Key);
        using var list = await http.SendAsync(services);
        Assert.Contains("\"name\":\"greeter\"", await list.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains("const base = document.body.dataset.base", await http.GetStringAsync("/ops/static/app.js"), StringComparison.Ordinal);

        // Nothing of the dashboard outside its prefix: the app's own 404.
        using var outside = await http.GetAsync("/api/services");
        Assert.Equal(HttpStatusCode.NotFound, outside.StatusCode);
        Assert.Empty(await outside.Content.ReadAsByteArrayAsync());
        await app.StopAsync();
    }

    [Fact]
    public async Task Sign_in_redirects_and_the_cookie_stay_under_the_prefix()
    {
        await using var app = InAppHost.Create(s => s.AddMicroDashboard(SignedIn), a => a.MapMicroDashboard("/ops"));
        await app.StartAsync();
        using var http = InAppHost.ClientOf(app);

        using var browse = new HttpRequestMessage(HttpMethod.Get, "/ops/apps");
        browse.Headers.Accept.ParseAdd("text/html");
        using var toSignIn = await http.SendAsync(browse);
        Assert.Equal(HttpStatusCode.Redirect, toSignIn.StatusCode);
        Assert.Equal("/ops/signin?return=%2Fapps", toSignIn.Headers.Location!.OriginalString);
        using var api = await http.GetAsync("/ops/api/services");
        Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
        Assert.Contains("sign in at /ops/signin", await api.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains("action=\"/ops/signin\"", await http.GetStringAsync("/ops/signin?return=%2Fapps"), StringComparison.Ordinal);

        using var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["credential"] = Key, ["return"] = "/apps" });
        using var signIn = await http.PostAsync("/ops/signin", form);
        Assert.Equal(HttpStatusCode.SeeOther, signIn.StatusCode);
        Assert.Equal("/ops/apps", signIn.Headers.Location!.OriginalString);
        var cookie = signIn.Headers.GetValues("Set-Cookie").Single();
        Assert.Contains("path=/ops", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);

        using var withCookie = new HttpRequestMessage(HttpMethod.Get, "/ops/api/services");
        withCookie.Headers.Add("Cookie", cookie.Split(';')[0]);
        using var listed = await http.SendAsync(withCookie);
        Assert.Equal(HttpStatusCode.OK, listed.StatusCode);

        // A return address off the dashboard is never followed, prefix or not.
        using var evil = new FormUrlEncodedContent(new Dictionary<string, string> { ["credential"] = Key, ["return"] = "//evil.example/" });
        using var safe = await http.PostAsync("/ops/signin", evil);
        Assert.Equal("/ops/", safe.Headers.Location!.OriginalString);
        await app.StopAsync();
    }

    [Fact]
    public async Task Web_apps_are_served_under_the_prefix_with_their_full_base_path()
    {
        await using var webApp = InAppHost.Create(_ => { }, a => a.MapGet("/page", (HttpContext c) => $"path={c.Request.Path} base={c.Request.Headers["X-Micro-Web-Base-Path"]}"));
        await webApp.StartAsync();
        await using var app = InAppHost.Create(s => s.AddMicroDashboard(new WebOptions { Insecure = true }), a => a.MapMicroDashboard("/ops"));
        await app.StartAsync();
        var address = InAppHost.AddressOf(webApp);
        await app.Services.GetRequiredService<IRegistry>().RegisterAsync(
            new Service { Name = "go.micro.web.hello", Nodes = [new Node { Id = "hello-1", Address = $"{address.Host}:{address.Port}" }] }, TimeSpan.FromMinutes(5));
        using var http = InAppHost.ClientOf(app);

        // The web app sees its own path and, in the base path header, where the browser sees it.
        Assert.Equal("path=/page base=/ops/hello", await http.GetStringAsync("/ops/hello/page"));
        using var apps = await http.GetAsync("/ops/api/apps");
        Assert.Contains("\"path\":\"/ops/hello\"", await apps.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var unknown = await http.GetAsync("/ops/nothing-here/");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("No web app named", await unknown.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await app.StopAsync();
        await webApp.StopAsync();
    }

    [Fact]
    public async Task A_rebound_host_name_on_a_loopback_connection_and_a_cross_site_post_are_refused()
    {
        await using var app = InAppHost.Create(s => s.AddMicroDashboard(new WebOptions { Insecure = true }), a => a.MapMicroDashboard("/ops"));
        await app.StartAsync();
        using var http = InAppHost.ClientOf(app);

        using var rebound = new HttpRequestMessage(HttpMethod.Get, "/ops/api/services");
        rebound.Headers.Host = "evil.example";
        using var refused = await http.SendAsync(rebound);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("DNS rebinding", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var crossSite = new HttpRequestMessage(HttpMethod.Post, "/ops/api/terminal") { Content = new StringContent("""{"line":"list services"}""", Encoding.UTF8, "application/json") };
        crossSite.Headers.Add("Origin", "https://evil.example");
        using var noTerminal = await http.SendAsync(crossSite);
        Assert.Equal(HttpStatusCode.Forbidden, noTerminal.StatusCode);

        // The app's own endpoints are the app's: the dashboard's guard is not on them.
        using var own = new HttpRequestMessage(HttpMethod.Get, "/");
        own.Headers.Host = "evil.example";
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(own)).StatusCode);
        await app.StopAsync();
    }

    [Fact]
    public async Task Without_auth_mapping_is_refused_unless_marked_insecure_and_a_second_listener_is_refused_in_an_app()
    {
        await using var app = InAppHost.Create(s => s.AddMicroDashboard(), _ => { });
        var e = Assert.Throws<InvalidOperationException>(() => app.MapMicroDashboard("/ops"));
        Assert.Contains("no auth", e.Message, StringComparison.Ordinal);
        Assert.Contains("AppsAddress", Assert.Throws<ArgumentException>(() => new ServiceCollection().AddMicroDashboard(new WebOptions { AppsAddress = "127.0.0.1:0" })).Message, StringComparison.Ordinal);
        using var bare = WebApplication.CreateSlimBuilder().Build();
        Assert.Contains("AddMicroDashboard", Assert.Throws<InvalidOperationException>(() => bare.MapMicroDashboard("/ops")).Message, StringComparison.Ordinal);
    }
}
