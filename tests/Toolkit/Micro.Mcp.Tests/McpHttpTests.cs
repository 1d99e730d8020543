using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Micro.Client;
using Micro.Edge;
using Micro.Edge.Auth;
using Micro.Selector;
using Micro.Transport;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace Micro.Mcp.Tests;

/// <summary>
/// The SDK's own client over Streamable HTTP against <c>micro mcp --address</c> (and <c>MapMicroMcp</c> in an app of
/// one's own): keys, scopes per identity, Micro-User, rate limits per identity, and the refusals of requests that come
/// from web pages (a foreign Origin, a rebound Host name).
/// </summary>
public sealed class McpHttpTests : IAsyncLifetime
{
    private const string OpsKey = "ops-key-0123456789abcdef";
    private const string AgentKey = "agent-key-0123456789abcdef";
    private const string InitializeBody = """{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}""";

    private readonly TestKit _kit = new(transport: new MemoryTransport(new MemoryNetwork()));
    private readonly LogLines _logs = new();
    private RegistrySelector _selector = null!;
    private MicroClient _client = null!;
    private ILoggerFactory _logging = null!;
    private McpHttpServer _server = null!;

    public async Task InitializeAsync()
    {
        await _kit.StartServerAsync("greeter", new Greeter());
        await _kit.StartServerAsync("orders", new Orders());
        await _kit.StartServerAsync("whocalls", new WhoCalls());
        _selector = new RegistrySelector(_kit.Registry);
        _client = new MicroClient(_selector, _kit.Transport);
        _logging = LoggerFactory.Create(b => b.AddProvider(_logs));
        _server = await StartAsync(McpOptions.Default with
        {
            Authenticator = new ApiKeyAuthenticator(["ops=" + OpsKey, "agent=" + AgentKey]),
            Allow = ToolAccess.Parse("ops=*;agent=greeter.*"),
            RateLimit = EdgeRateLimit.Parse("3/m"),
        });
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _selector.DisposeAsync();
        await _kit.DisposeAsync();
        _logging.Dispose();
    }

    private Task<McpHttpServer> StartAsync(McpOptions options) => McpHttpServer.StartAsync(options with { Address = "127.0.0.1:0" }, _client, _kit.Registry, _logging);

    private Uri Endpoint => new($"http://{_server.Address}/mcp");

    private Task<McpClient> ConnectAsync(string? key, Uri? endpoint = null)
    {
        var options = new HttpClientTransportOptions { Endpoint = endpoint ?? Endpoint, TransportMode = HttpTransportMode.StreamableHttp };
        if (key is not null)
        {
            options.AdditionalHeaders = new Dictionary<string, string> { ["Authorization"] = "Bearer " + key };
        }

        return McpClient.CreateAsync(new HttpClientTransport(options, _logging));
    }

    private async Task<HttpResponseMessage> PostAsync(string body, Action<HttpRequestMessage>? change = null, string? key = OpsKey)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, Endpoint) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Accept.ParseAdd("application/json, text/event-stream");
        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        change?.Invoke(request);
        var response = await http.SendAsync(request);
        await response.Content.LoadIntoBufferAsync();
        return response;
    }

    [Fact]
    public async Task Without_a_valid_key_nothing_is_answered_and_the_refusal_says_what_to_send()
    {
        var none = await PostAsync(InitializeBody, key: null);
        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        Assert.Contains("Authorization: Bearer", await none.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var wrong = await PostAsync(InitializeBody, key: "not-a-key-0123456789abcdef");
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.DoesNotContain("not-a-key", await wrong.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        await Assert.ThrowsAnyAsync<HttpRequestException>(() => ConnectAsync(key: null));
    }

    [Fact]
    public async Task Each_identity_lists_and_calls_only_its_tools_and_calls_carry_who_it_is()
    {
        await using var ops = await ConnectAsync(OpsKey);
        await using var agent = await ConnectAsync(AgentKey);
        Assert.Equal(["greeter_Greeter_Hello", "orders_Orders_Place", "whocalls_WhoCalls_Who"], (await ops.ListToolsAsync()).Select(t => t.Name).Order());
        Assert.Equal(["greeter_Greeter_Hello"], (await agent.ListToolsAsync()).Select(t => t.Name));

        var who = await ops.CallToolAsync("whocalls_WhoCalls_Who", new Dictionary<string, object?> { ["name"] = "x" });
        Assert.Equal("user=ops", JsonDocument.Parse(((TextContentBlock)who.Content[0]).Text).RootElement.GetProperty("msg").GetString());

        var refused = await Assert.ThrowsAnyAsync<McpException>(async () => await agent.CallToolAsync("whocalls_WhoCalls_Who", new Dictionary<string, object?> { ["name"] = "x" }));
        Assert.Contains("user agent", refused.Message, StringComparison.Ordinal);
        Assert.Equal(["micro://services", "micro://services/greeter"], (await agent.ListResourcesAsync()).Select(r => r.Uri));

        var hello = await agent.CallToolAsync("greeter_Greeter_Hello", new Dictionary<string, object?> { ["name"] = "agent" });
        Assert.NotEqual(true, hello.IsError);

        var audit = _logs.Of(McpToolCalls.AuditCategory);
        Assert.Contains(audit, l => l.StartsWith("mcp call by user ops: whocalls_WhoCalls_Who -> 200 in ", StringComparison.Ordinal));
        Assert.Contains(audit, l => l.StartsWith("mcp call by user agent: whocalls_WhoCalls_Who -> 404 in ", StringComparison.Ordinal));
        Assert.Contains(audit, l => l.StartsWith("mcp call by user agent: greeter_Greeter_Hello -> 200 in ", StringComparison.Ordinal));
        Assert.DoesNotContain(_logs.All, l => l.Contains(OpsKey, StringComparison.Ordinal) || l.Contains(AgentKey, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_jwt_bearer_signs_in_as_its_subject_for_scopes_audit_and_micro_user_and_a_bad_token_gets_401()
    {
        const string secret = "an-mcp-test-secret-at-least-32-bytes!";
        string Token(string key, string subject) => new Microsoft.IdentityModel.JsonWebTokens.JsonWebTokenHandler().CreateToken(new Microsoft.IdentityModel.Tokens.SecurityTokenDescriptor
        {
            Subject = new System.Security.Claims.ClaimsIdentity([new System.Security.Claims.Claim("sub", subject)]),
            Issuer = "micro-tests",
            Audience = "mcp",
            Expires = DateTime.UtcNow.AddMinutes(5),
            SigningCredentials = new Microsoft.IdentityModel.Tokens.SigningCredentials(new Microsoft.IdentityModel.Tokens.SymmetricSecurityKey(Encoding.UTF8.GetBytes(key)), Microsoft.IdentityModel.Tokens.SecurityAlgorithms.HmacSha256),
        });

        await using var jwt = await StartAsync(McpOptions.Default with
        {
            Authenticator = new JwtAuthenticator(new JwtOptions { Secret = secret, Issuer = "micro-tests", Audience = "mcp" }),
            Allow = ToolAccess.Parse("alice=whocalls.*"),
        });
        var endpoint = new Uri($"http://{jwt.Address}/mcp");
        await using (var alice = await ConnectAsync(Token(secret, "alice"), endpoint))
        {
            Assert.Equal(["whocalls_WhoCalls_Who"], (await alice.ListToolsAsync()).Select(t => t.Name));
            var who = await alice.CallToolAsync("whocalls_WhoCalls_Who", new Dictionary<string, object?> { ["name"] = "x" });
            Assert.Equal("user=alice", JsonDocument.Parse(((TextContentBlock)who.Content[0]).Text).RootElement.GetProperty("msg").GetString());
        }

        await using (var bob = await ConnectAsync(Token(secret, "bob"), endpoint))
        {
            Assert.Empty(await bob.ListToolsAsync()); // signed in, but no --mcp_allow entry names bob
        }

        var forged = Token("a-different-secret-also-32-bytes-long!", "alice");
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = new StringContent(InitializeBody, Encoding.UTF8, "application/json") };
        request.Headers.Accept.ParseAdd("application/json, text/event-stream");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", forged);
        using var refused = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Contains(_logs.Of(McpToolCalls.AuditCategory), l => l.StartsWith("mcp call by user alice: whocalls_WhoCalls_Who -> 200 in ", StringComparison.Ordinal));
        Assert.DoesNotContain(_logs.All, l => l.Contains(forged, StringComparison.Ordinal) || l.Contains(secret, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_session_belongs_to_the_identity_that_opened_it()
    {
        var opened = await PostAsync(InitializeBody, key: OpsKey);
        Assert.Equal(HttpStatusCode.OK, opened.StatusCode);
        var session = Assert.Single(opened.Headers.GetValues("Mcp-Session-Id"));

        var list = """{"jsonrpc":"2.0","id":2,"method":"tools/list"}""";
        var stolen = await PostAsync(list, r => r.Headers.Add("Mcp-Session-Id", session), key: AgentKey);
        Assert.True(stolen.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.NotFound, $"another identity used the session: {stolen.StatusCode}");
        Assert.DoesNotContain("orders_Orders_Place", await stolen.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_rate_limit_is_per_identity_and_a_refused_call_is_a_429_tool_error()
    {
        await using var ops = await ConnectAsync(OpsKey);
        await using var agent = await ConnectAsync(AgentKey);
        var hello = new Dictionary<string, object?> { ["name"] = "x" };
        for (var i = 0; i < 3; i++)
        {
            Assert.NotEqual(true, (await ops.CallToolAsync("greeter_Greeter_Hello", hello)).IsError);
        }

        var refused = await ops.CallToolAsync("greeter_Greeter_Hello", hello);
        Assert.True(refused.IsError);
        Assert.Equal(429, JsonDocument.Parse(((TextContentBlock)refused.Content[0]).Text).RootElement.GetProperty("code").GetInt32());
        Assert.NotEqual(true, (await agent.CallToolAsync("greeter_Greeter_Hello", hello)).IsError); // its own bucket
    }

    [Theory]
    [InlineData("POST", "http://evil.example", null)]
    [InlineData("POST", "null", null)]
    [InlineData("GET", "http://evil.example", null)]
    [InlineData("POST", null, "evil.example")]
    [InlineData("GET", null, "evil.example")]
    public async Task Requests_from_web_pages_and_rebound_host_names_are_refused_before_auth_or_the_sdk(string method, string? origin, string? host)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(new HttpMethod(method), Endpoint);
        if (method == "POST")
        {
            request.Content = new StringContent(InitializeBody, Encoding.UTF8, "application/json");
        }

        request.Headers.Accept.ParseAdd("application/json, text/event-stream");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", OpsKey); // a page can hold a key too: still refused
        if (origin is not null)
        {
            request.Headers.Add("Origin", origin);
        }

        if (host is not null)
        {
            request.Headers.Host = host;
        }

        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.False(response.Headers.Contains("Mcp-Session-Id"));
    }

    [Fact]
    public async Task A_post_that_is_not_json_is_refused()
    {
        var form = await PostAsync("a=b", r => r.Content = new StringContent("a=b", Encoding.UTF8, "application/x-www-form-urlencoded"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, form.StatusCode);
    }

    [Fact]
    public async Task A_service_that_starts_and_stops_sends_tools_list_changed_over_the_sessions_get_stream()
    {
        await using var ops = await ConnectAsync(OpsKey);
        var changes = 0;
        await using var handler = ops.RegisterNotificationHandler(NotificationMethods.ToolListChangedNotification, (_, _) =>
        {
            Interlocked.Increment(ref changes);
            return ValueTask.CompletedTask;
        });

        var weather = await _kit.StartServerAsync("weather", new WhoCalls());
        await McpHarness.Until(() => Task.FromResult(Volatile.Read(ref changes) >= 1), "list_changed after weather started");
        Assert.Contains(await ops.ListToolsAsync(), t => t.Name == "weather_WhoCalls_Who");

        var before = Volatile.Read(ref changes);
        await weather.StopAsync();
        await McpHarness.Until(() => Task.FromResult(Volatile.Read(ref changes) > before), "list_changed after weather stopped");
        Assert.DoesNotContain(await ops.ListToolsAsync(), t => t.Name == "weather_WhoCalls_Who");
    }

    [Fact]
    public async Task Beyond_loopback_micro_mcp_needs_auth_and_says_so_before_listening()
    {
        var e = await Assert.ThrowsAsync<ArgumentException>(() => McpHttpServer.StartAsync(McpOptions.Default with { Address = "0.0.0.0:0" }, _client, _kit.Registry, _logging));
        Assert.Contains("--auth", e.Message, StringComparison.Ordinal);

        // On loopback without auth it serves (as stdio does to local processes) and warns once.
        await using var open = await StartAsync(McpOptions.Default);
        await using var anyone = await ConnectAsync(key: null, new Uri($"http://{open.Address}/mcp"));
        Assert.NotEmpty(await anyone.ListToolsAsync());
        Assert.Contains(_logs.All, l => l.Contains("with no --auth", StringComparison.Ordinal));
    }

    [Fact]
    public async Task MapMicroMcp_serves_inside_an_app_of_ones_own_beside_its_endpoints_and_refuses_to_map_without_auth()
    {
        var e = Assert.Throws<InvalidOperationException>(() => InAppHost.Create(services => services.AddMicroMcp(), app => app.MapMicroMcp()));
        Assert.Contains("authenticator", e.Message, StringComparison.Ordinal);

        var options = McpOptions.Default with { Authenticator = new ApiKeyAuthenticator(["ops=" + OpsKey]) };
        await using var app = InAppHost.Create(services => services.AddMicroMcp(options), app => app.MapMicroMcp("/agents/mcp"));
        await app.StartAsync();
        var root = InAppHost.AddressOf(app);
        using var http = new HttpClient { BaseAddress = root };
        Assert.Equal("mine", await http.GetStringAsync(new Uri("/", UriKind.Relative))); // the app's own endpoint, its own rules
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.PostAsync(new Uri("/agents/mcp", UriKind.Relative), new StringContent(InitializeBody, Encoding.UTF8, "application/json"))).StatusCode);

        await using var agent = await ConnectAsync(OpsKey, new Uri(root, "/agents/mcp"));
        await McpHarness.Until(async () => (await agent.ListToolsAsync()).Any(t => t.Name == "greeter_Greeter_Hello"), "the app's greeter listed");
        var hello = await agent.CallToolAsync("greeter_Greeter_Hello", new Dictionary<string, object?> { ["name"] = "in-app" });
        Assert.Contains("Hello in-app", ((TextContentBlock)hello.Content[0]).Text, StringComparison.Ordinal);
        await app.StopAsync();
    }
}
