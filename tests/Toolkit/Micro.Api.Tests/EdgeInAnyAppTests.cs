using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Micro.Proxy;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Micro.Api.Tests;

/// <summary>The gateway and the proxy as building blocks of one ASP.NET Core app, beside its own endpoints, under prefixes.</summary>
public sealed class EdgeInAnyAppTests
{
    private const string Token = "in-app-proxy-token-5d1e";

    [Fact]
    public async Task Gateway_and_proxy_live_under_their_prefixes_beside_the_apps_own_endpoints()
    {
        await using var app = InAppHost.Create(s => s.AddMicroGateway(new ApiOptions { Namespace = "" }).AddMicroProxy(new ProxyOptions { AuthToken = Token }),
            a =>
            {
                a.MapMicroGateway("/api");
                a.MapMicroProxy("/micro");
            });
        await app.StartAsync();
        using var http = InAppHost.ClientOf(app);

        Assert.Equal("mine", await http.GetStringAsync("/"));
        using var viaGateway = await http.PostAsync("/api/greeter/hello", Json("""{"name":"gw"}"""));
        Assert.Contains("Hello gw", await viaGateway.Content.ReadAsStringAsync());

        // The proxy's auth guards its paths only: the app's own endpoint and the gateway need no token.
        using var noToken = await http.GetAsync("/micro/registry?service=greeter");
        Assert.Equal(HttpStatusCode.Unauthorized, noToken.StatusCode);
        using var rpc = new HttpRequestMessage(HttpMethod.Post, "/micro/rpc") { Content = Json("""{"service":"greeter","endpoint":"Greeter.Hello","request":{"name":"proxy"}}""") };
        rpc.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        using var viaProxy = await http.SendAsync(rpc);
        var body = await viaProxy.Content.ReadAsStringAsync();
        Assert.True(viaProxy.StatusCode == HttpStatusCode.OK, body);
        Assert.Contains("Hello proxy", body);

        // A web page's cross-site post gets nothing from the proxy, token or not (the browser guard comes first).
        using var crossSite = new HttpRequestMessage(HttpMethod.Post, "/micro/rpc") { Content = Json("""{"service":"greeter","endpoint":"Greeter.Hello","request":{}}""") };
        crossSite.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        crossSite.Headers.Add("Origin", "https://evil.example");
        using var refused = await http.SendAsync(crossSite);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        await app.StopAsync();
    }

    [Fact]
    public async Task A_proxy_without_auth_is_refused_when_mapped_unless_marked_insecure()
    {
        await using var app = InAppHost.Create(s => s.AddMicroProxy(), _ => { });
        var e = Assert.Throws<InvalidOperationException>(() => app.MapMicroProxy("/micro"));
        Assert.Contains("no auth", e.Message, StringComparison.Ordinal);
        await using var insecure = InAppHost.Create(s => s.AddMicroProxy(new ProxyOptions { Insecure = true }), a => a.MapMicroProxy("/micro"));
        await insecure.StartAsync();
        using var http = InAppHost.ClientOf(insecure);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/micro/health")).StatusCode);
        await insecure.StopAsync();
    }

    [Fact]
    public void Mapping_without_adding_says_what_is_missing()
    {
        var builder = WebApplication.CreateSlimBuilder();
        using var app = builder.Build();
        Assert.Contains("AddMicroGateway", Assert.Throws<InvalidOperationException>(() => app.MapMicroGateway("/api")).Message, StringComparison.Ordinal);
        Assert.Contains("AddMicroProxy", Assert.Throws<InvalidOperationException>(() => app.MapMicroProxy("/micro")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_handler_and_a_resolver_of_ones_own_are_chosen_by_name()
    {
        await using var app = InAppHost.Create(s => s
                .AddMicroGateway(new ApiOptions { Handler = "describe", Resolver = "header" })
                .AddMicroGatewayHandler("describe", _ => new DescribeHandler())
                .AddMicroGatewayResolver("header", _ => new HeaderResolver()),
            a => a.MapMicroGateway("/api"));
        await app.StartAsync();
        using var http = InAppHost.ClientOf(app);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/anything");
        request.Headers.Add("X-Service", "greeter");
        using var reply = await http.SendAsync(request);
        Assert.Equal("greeter Greeter.Hello /anything", await reply.Content.ReadAsStringAsync());
        using var unrouted = await http.GetAsync("/api/anything"); // the resolver finds nothing: the gateway's 404
        Assert.Equal(HttpStatusCode.NotFound, unrouted.StatusCode);
        await app.StopAsync();
    }

    [Fact]
    public async Task A_handler_name_nobody_registered_is_refused_naming_the_ones_there_are()
    {
        await using var app = InAppHost.Create(s => s.AddMicroGateway(new ApiOptions { Handler = "nope" }), _ => { });
        var e = Assert.Throws<ArgumentException>(() => app.MapMicroGateway("/api"));
        Assert.Contains("--handler 'nope' is not one of api, event, http, proxy, rpc, web", e.Message, StringComparison.Ordinal);
    }

    private sealed class DescribeHandler : IGatewayHandler
    {
        public Task HandleAsync(HttpContext context, ApiRoute route) => context.Response.WriteAsync($"{route.Service} {route.Endpoint} {route.Path}");
    }

    private sealed class HeaderResolver : IGatewayResolver
    {
        public ApiRoute? Resolve(HttpRequest request, string path, string ns)
            => request.Headers["X-Service"].ToString() is { Length: > 0 } service ? new ApiRoute(service, "Greeter.Hello", path) : null;
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");
}
