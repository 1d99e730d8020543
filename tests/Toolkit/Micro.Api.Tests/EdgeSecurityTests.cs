using System.Net;
using System.Net.Http.Headers;
using System.Net.WebSockets;
using System.Text;
using Micro.Edge.Auth;
using Micro.Hosting;
using Micro.Proxy;

namespace Micro.Api.Tests;

/// <summary>
/// What the gateway and the proxy keep from callers: credentials and forged Micro-* headers stay at the edge, only
/// registered nodes are reached, and web pages in the operator's browser cannot register or listen through the proxy.
/// </summary>
public sealed class EdgeSecurityTests : IAsyncLifetime
{
    private const string Key = "k-edge-security-0d93e1aa";
    private readonly string _registry = Path.Combine(Path.GetTempPath(), "micro-edge-security", Guid.NewGuid().ToString("N"));
    private MicroEnvironment _environment = null!;
    private ProxyServer _proxy = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _environment = MicroEnvironment.Create(MicroSettings.Default with { Registry = "local", RegistryAddress = _registry, Broker = "memory" });
        _proxy = await ProxyServer.StartAsync(new ProxyOptions { Address = "127.0.0.1:0" }, _environment);
        _http = new HttpClient { BaseAddress = new Uri("http://" + _proxy.Address) };
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _proxy.DisposeAsync();
        await _environment.DisposeAsync();
        Directory.Delete(_registry, recursive: true);
    }

    private static StringContent Json(string json, string type = "application/json") => new(json, Encoding.UTF8, type);

    [Fact]
    public async Task Gateway_handlers_forward_no_credential_cookie_or_forged_micro_user()
    {
        await using var gw = await GatewayFixture.StartAsync(new ApiOptions { Handler = ApiHandlers.Http, Authenticator = new ApiKeyAuthenticator(["ci=" + Key]) },
            f => f.StartHttpServiceAsync("go.micro.api.web1"));
        using var request = new HttpRequestMessage(HttpMethod.Get, "/web1/x");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Key);
        request.Headers.Add("Cookie", "session=abc");
        request.Headers.Add("Micro-User", "admin");
        request.Headers.Add("X-Show-Headers", "1");
        var text = await (await gw.Http.SendAsync(request)).Content.ReadAsStringAsync();
        Assert.Contains("authorization=[] apikey=[] cookie=[] user=[ci]", text, StringComparison.Ordinal);
        Assert.DoesNotContain(Key, text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Gateway_rpc_metadata_drops_credentials_and_cookies_even_without_auth()
    {
        await using var gw = await GatewayFixture.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/greeter/caller") { Content = Json("""{"name":"x"}""") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Key);
        request.Headers.Add("X-Api-Key", Key);
        request.Headers.Add("Micro-User", "admin");
        var text = await (await gw.Http.SendAsync(request)).Content.ReadAsStringAsync();
        Assert.Contains("user=;authorization=False;apikey=False", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Gateway_rpc_reaches_only_registered_nodes()
    {
        await using var gw = await GatewayFixture.StartAsync(new ApiOptions { EnableRpc = true });
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var reply = await gw.Http.PostAsync("/rpc", Json($$"""{"service":"go.micro.api.greeter","endpoint":"Greeter.Hello","request":{"name":"x"},"address":"{{listener.LocalEndpoint}}"}"""));
        Assert.Equal(HttpStatusCode.BadRequest, reply.StatusCode);
        Assert.Contains("is not a registered node of go.micro.api.greeter", await reply.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.False(listener.Pending());
    }

    [Fact]
    public async Task Proxy_refuses_a_cross_site_registration_and_registers_nothing()
    {
        var body = """{"name":"planted","nodes":[{"id":"p-1","address":"127.0.0.1:9000"}]}""";
        var plain = await _http.PostAsync("/registry", Json(body, "text/plain"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, plain.StatusCode);
        using var fromSite = new HttpRequestMessage(HttpMethod.Post, "/registry") { Content = Json(body) };
        fromSite.Headers.Add("Origin", "http://evil.example");
        Assert.Equal(HttpStatusCode.Forbidden, (await _http.SendAsync(fromSite)).StatusCode);
        using var rebound = new HttpRequestMessage(HttpMethod.Post, "/registry") { Content = Json(body) };
        rebound.Headers.Host = "evil.example";
        Assert.Equal(HttpStatusCode.Forbidden, (await _http.SendAsync(rebound)).StatusCode);
        Assert.Empty(await _environment.Registry.GetServiceAsync("planted"));

        Assert.Equal(HttpStatusCode.OK, (await _http.PostAsync("/registry", Json(body))).StatusCode); // the CLI's way still works
        Assert.Single(await _environment.Registry.GetServiceAsync("planted"));
    }

    [Fact]
    public async Task Proxy_refuses_websockets_from_other_origins()
    {
        using var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Origin", "http://evil.example");
        var error = await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(new Uri($"ws://{_proxy.Address}/broker?topic=orders"), CancellationToken.None));
        Assert.Contains("403", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("169.254.169.254:80/latest", "holds '/'")]
    [InlineData("127.0.0.1:9?y=", "holds '?'")]
    [InlineData("127.0.0.1:99999", "from 1 to 65535")]
    public async Task Proxy_registration_with_an_address_that_is_not_host_port_is_a_400_saying_why(string address, string why)
    {
        var reply = await _http.PostAsync("/registry", Json($$"""{"name":"bad","nodes":[{"id":"b-1","address":"{{address}}"}]}"""));
        var detail = MicroException.Parse(await reply.Content.ReadAsStringAsync()).Detail;
        Assert.Equal(HttpStatusCode.BadRequest, reply.StatusCode);
        Assert.Contains(why, detail, StringComparison.Ordinal);
        Assert.Empty(await _environment.Registry.GetServiceAsync("bad"));
    }

    [Fact]
    public async Task Proxy_ttl_is_capped_at_an_hour()
    {
        var reply = await _http.PostAsync("/registry?ttl=999999", Json("""{"name":"long","nodes":[{"id":"l-1","address":"127.0.0.1:9000"}]}"""));
        Assert.Equal(HttpStatusCode.BadRequest, reply.StatusCode);
        Assert.Contains("1 to 3600", await reply.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(await _environment.Registry.GetServiceAsync("long"));
    }

    [Fact]
    public async Task Proxy_rpc_drops_micro_metadata_a_caller_sends()
    {
        await using var kit = new TestKit(_environment.Registry);
        await kit.StartServerAsync("who", new WhoCalls());
        var reply = await _http.PostAsync("/rpc", Json("""{"service":"who","endpoint":"WhoCalls.Who","request":{},"metadata":{"Micro-User":"admin"}}"""));
        Assert.Contains("user=none", await reply.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Proxy_beyond_loopback_without_auth_refuses_to_start()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => ProxyServer.StartAsync(new ProxyOptions { Address = "0.0.0.0:0" }, _environment));
        Assert.Contains("--insecure", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ops=k-1234567890abcdef", "ops", "k-1234567890abcdef")]
    [InlineData("Zm9vYmFyYmF6cXV4cXV1eA==", "api-key", "Zm9vYmFyYmF6cXV4cXV1eA==")]   // openssl rand -base64 16: ends in ==
    [InlineData("a+b/c=dddddddddddddddddd", "api-key", "a+b/c=dddddddddddddddddd")] // '+' and '/' are no name
    public void Api_keys_name_only_with_a_plain_name(string entry, string name, string key)
        => Assert.Equal((name, key), ApiKeyAuthenticator.Split(entry));

    [Fact]
    public async Task A_base64_key_ending_in_equals_is_one_key_and_equals_alone_is_not_accepted()
    {
        const string Base64 = "Zm9vYmFyYmF6cXV4cXV1eA==";
        await using var gw = await GatewayFixture.StartAsync(new ApiOptions { Authenticator = new ApiKeyAuthenticator([Base64]) });
        async Task<HttpStatusCode> With(string key)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/greeter/hello") { Content = Json("""{"name":"x"}""") };
            request.Headers.Add("X-Api-Key", key);
            return (await gw.Http.SendAsync(request)).StatusCode;
        }

        Assert.Equal(HttpStatusCode.OK, await With(Base64));
        Assert.Equal(HttpStatusCode.Unauthorized, await With("="));
        Assert.Equal(HttpStatusCode.Unauthorized, await With("Zm9vYmFyYmF6cXV4cXV1eA"));
    }

    [Fact]
    public void Keys_under_16_bytes_are_refused_at_start_up()
    {
        var error = Assert.Throws<ArgumentException>(() => new ApiKeyAuthenticator(["ops=short"]));
        Assert.Contains("at least 16", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("short", error.Message.Replace("'ops'", "", StringComparison.Ordinal), StringComparison.Ordinal); // the key is not echoed
    }
}
