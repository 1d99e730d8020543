using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Micro.Broker;

namespace Micro.Api.Tests;

/// <summary>The gateway against real services on loopback: every handler, resolution rule, error mapping, CORS and limits.</summary>
public sealed class GatewayTests
{
    private static StringContent JsonBody(string json) => new(json, Encoding.UTF8, "application/json");

    private static async Task<(HttpStatusCode Status, JsonElement Json)> ReadJson(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        using var doc = JsonDocument.Parse(text);
        return (response.StatusCode, doc.RootElement.Clone());
    }

    [Theory]
    [InlineData("/greeter/hello", "Hello John")]
    [InlineData("/greeter/say/hello", "Say hello John")]
    [InlineData("/greeter/say-hello", "Hi John")]
    [InlineData("/foo/bar/baz/cat", "cat")]
    [InlineData("/v1/foo/bar", "v1 bar")]
    public async Task A_json_post_reaches_the_service_and_endpoint_the_path_names(string path, string msg)
    {
        await using var gw = await GatewayFixture.StartAsync();
        var (status, json) = await ReadJson(await gw.Http.PostAsync(path, JsonBody("""{"name":"John"}""")));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(msg, json.GetProperty("msg").GetString());
    }

    [Fact]
    public async Task A_get_query_string_and_a_form_become_the_request()
    {
        await using var gw = await GatewayFixture.StartAsync();
        Assert.Equal("Hello Query", (await ReadJson(await gw.Http.GetAsync("/greeter/hello?name=Query"))).Json.GetProperty("msg").GetString());
        var form = new FormUrlEncodedContent([new("name", "Form")]);
        Assert.Equal("Hello Form", (await ReadJson(await gw.Http.PostAsync("/greeter/hello", form))).Json.GetProperty("msg").GetString());
    }

    [Fact]
    public async Task An_unknown_endpoint_or_service_is_404_saying_what_was_looked_up()
    {
        await using var gw = await GatewayFixture.StartAsync();
        var (status, json) = await ReadJson(await gw.Http.PostAsync("/greeter/nope", JsonBody("{}")));
        Assert.Equal(HttpStatusCode.NotFound, status);
        var detail = json.GetProperty("detail").GetString()!;
        Assert.Contains("service go.micro.api.greeter, endpoint Greeter.Nope", detail);
        Assert.Contains("Greeter.Hello", detail); // what the service does have

        (status, json) = await ReadJson(await gw.Http.PostAsync("/missing/thing", JsonBody("{}")));
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Contains("service go.micro.api.missing, endpoint Missing.Thing", json.GetProperty("detail").GetString());

        (status, json) = await ReadJson(await gw.Http.GetAsync("/"));
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Contains("/greeter/hello", json.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_bad_json_body_is_400()
    {
        await using var gw = await GatewayFixture.StartAsync();
        var (status, json) = await ReadJson(await gw.Http.PostAsync("/greeter/hello", JsonBody("{\"name\":")));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(400, json.GetProperty("code").GetInt32());
        Assert.Contains("not valid JSON", json.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Service_errors_keep_their_code_and_never_carry_a_stack_trace()
    {
        await using var gw = await GatewayFixture.StartAsync();
        var (status, json) = await ReadJson(await gw.Http.PostAsync("/greeter/deny", JsonBody("""{"name":"Eve"}""")));
        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Equal(("go.micro.api.greeter", "no entry for Eve"), (json.GetProperty("id").GetString(), json.GetProperty("detail").GetString()));

        var crash = await gw.Http.PostAsync("/greeter/crash", JsonBody("{}"));
        var text = await crash.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.InternalServerError, crash.StatusCode);
        Assert.Contains("boom", text);
        Assert.DoesNotContain(" at ", text);
    }

    [Fact]
    public async Task A_service_slower_than_the_request_timeout_is_504()
    {
        await using var gw = await GatewayFixture.StartAsync(new ApiOptions { RequestTimeout = TimeSpan.FromMilliseconds(300) });
        var (status, json) = await ReadJson(await gw.Http.PostAsync("/greeter/slow", JsonBody("{}")));
        Assert.Equal(HttpStatusCode.GatewayTimeout, status);
        Assert.Equal(408, json.GetProperty("code").GetInt32());
    }

    [Fact]
    public async Task Http_headers_become_metadata_but_micro_headers_from_outside_do_not()
    {
        await using var gw = await GatewayFixture.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/greeter/whoami") { Content = JsonBody("{}") };
        request.Headers.Add("X-User", "alice");
        request.Headers.Add("Micro-Endpoint", "Greeter.Deny"); // would reroute the call if passed on
        var (status, json) = await ReadJson(await gw.Http.SendAsync(request));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("user=alice;from=127.0.0.1", json.GetProperty("msg").GetString());
    }

    [Fact]
    public async Task The_api_handler_sends_the_whole_request_and_writes_the_services_status_headers_and_body()
    {
        await using var gw = await GatewayFixture.StartAsync(new ApiOptions { Handler = ApiHandlers.Api });
        var response = await gw.Http.PostAsync("/orders/create?name=book", new StringContent("raw text", Encoding.UTF8, "text/plain"));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("42", response.Headers.GetValues("X-Order").Single());
        Assert.Equal("POST /orders/create name=book body=raw text ct=text/plain; charset=utf-8", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task An_endpoints_metadata_picks_its_handler()
    {
        await using var gw = await GatewayFixture.StartAsync(before: async f =>
        {
            var orders = Assert.Single(await f.Kit.Registry.GetServiceAsync("go.micro.api.orders"));
            await f.Kit.Registry.RegisterAsync(orders with
            {
                Endpoints = orders.Endpoints.Select(e => e.Name == "Orders.Create" ? e with { Metadata = new Dictionary<string, string> { ["handler"] = "api" } } : e).ToArray(),
            }, TimeSpan.FromMinutes(5));
        });
        var response = await gw.Http.PostAsync("/orders/create?name=pen", JsonBody("{}")); // the gateway's default is rpc
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.StartsWith("POST /orders/create name=pen", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_http_handler_reverse_proxies_to_a_registered_node_with_the_full_path()
    {
        await using var gw = await GatewayFixture.StartAsync(new ApiOptions { Handler = ApiHandlers.Http }, f => f.StartHttpServiceAsync("go.micro.api.web1"));
        var response = await gw.Http.GetAsync("/web1/x/y?z=1");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("go.micro.api.web1 GET /web1/x/y?z=1 base=", await response.Content.ReadAsStringAsync());

        var (status, json) = await ReadJson(await gw.Http.GetAsync("/nowhere/x"));
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Contains("go.micro.api.nowhere", json.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task The_web_handler_passes_websockets()
    {
        await using var gw = await GatewayFixture.StartAsync(new ApiOptions { Handler = ApiHandlers.Web }, f => f.StartHttpServiceAsync("go.micro.api.chat"));
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri($"ws://{gw.Address}/chat/ws"), CancellationToken.None);
        await socket.SendAsync("ping"u8.ToArray(), WebSocketMessageType.Text, true, CancellationToken.None);
        var buffer = new byte[64];
        var received = await socket.ReceiveAsync(buffer, CancellationToken.None);
        Assert.Equal("ping", Encoding.UTF8.GetString(buffer, 0, received.Count));
    }

    [Fact]
    public async Task The_event_handler_publishes_the_body_as_a_go_micro_event_to_namespace_dot_first_segment()
    {
        await using var gw = await GatewayFixture.StartAsync(new ApiOptions { Handler = ApiHandlers.Event });
        var received = new TaskCompletionSource<BrokerEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var subscription = await gw.Broker.SubscribeAsync("go.micro.api.user", (e, _) =>
        {
            received.TrySetResult(e);
            return ValueTask.CompletedTask;
        });
        using var request = new HttpRequestMessage(HttpMethod.Post, "/user/login") { Content = JsonBody("""{"user":"john"}""") };
        request.Headers.Add("X-Trace", "t1");
        var response = await gw.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var delivery = await received.Task.WaitAsync(TimeSpan.FromSeconds(10));
        using var doc = JsonDocument.Parse(delivery.Message.Body);
        var e = doc.RootElement;
        Assert.Equal("login", e.GetProperty("name").GetString());
        Assert.Equal("""{"user":"john"}""", e.GetProperty("data").GetString());
        Assert.Equal("t1", e.GetProperty("header").GetProperty("X-Trace").GetProperty("values")[0].GetString());
        Assert.True(Guid.TryParse(e.GetProperty("id").GetString(), out _));
        Assert.True(e.GetProperty("timestamp").GetInt64() > 1_700_000_000);
    }

    [Fact]
    public async Task Rpc_is_off_unless_enabled()
    {
        const string Call = """{"service":"go.micro.api.greeter","endpoint":"Greeter.Hello","request":{"name":"Rpc"}}""";
        await using (var off = await GatewayFixture.StartAsync())
        {
            var (status, json) = await ReadJson(await off.Http.PostAsync("/rpc", JsonBody(Call)));
            Assert.Equal(HttpStatusCode.NotFound, status);
            Assert.Contains("--enable_rpc", json.GetProperty("detail").GetString());
        }

        await using var on = await GatewayFixture.StartAsync(new ApiOptions { EnableRpc = true });
        var reply = await ReadJson(await on.Http.PostAsync("/rpc", JsonBody(Call)));
        Assert.Equal("Hello Rpc", reply.Json.GetProperty("msg").GetString());
        var missing = await ReadJson(await on.Http.PostAsync("/rpc", JsonBody("""{"service":"go.micro.api.greeter"}""")));
        Assert.Equal(HttpStatusCode.BadRequest, missing.Status);
    }

    [Fact]
    public async Task Cors_answers_preflights_for_allowed_origins_only()
    {
        await using var gw = await GatewayFixture.StartAsync(new ApiOptions { CorsAllowedOrigins = ["https://app.example"] });
        using var preflight = new HttpRequestMessage(HttpMethod.Options, "/greeter/hello");
        preflight.Headers.Add("Origin", "https://app.example");
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        preflight.Headers.Add("Access-Control-Request-Headers", "content-type");
        var allowed = await gw.Http.SendAsync(preflight);
        Assert.Equal(HttpStatusCode.NoContent, allowed.StatusCode);
        Assert.Equal("https://app.example", allowed.Headers.GetValues("Access-Control-Allow-Origin").Single());

        using var simple = new HttpRequestMessage(HttpMethod.Post, "/greeter/hello") { Content = JsonBody("""{"name":"Cors"}""") };
        simple.Headers.Add("Origin", "https://evil.example");
        var refused = await gw.Http.SendAsync(simple);
        Assert.False(refused.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task A_body_over_the_limit_is_413()
    {
        await using var gw = await GatewayFixture.StartAsync(new ApiOptions { MaxBodyBytes = 1024 });
        var (status, json) = await ReadJson(await gw.Http.PostAsync("/greeter/hello", JsonBody($$"""{"name":"{{new string('x', 4096)}}"}""")));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.Contains("1024", json.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task The_host_resolver_routes_by_the_host_name()
    {
        await using var gw = await GatewayFixture.StartAsync(new ApiOptions { Resolver = ApiResolvers.Host });
        using var request = new HttpRequestMessage(HttpMethod.Post, "/say/hello") { Content = JsonBody("""{"name":"Host"}""") };
        request.Headers.Host = "greeter.example.com";
        var (status, json) = await ReadJson(await gw.Http.SendAsync(request));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("Say hello Host", json.GetProperty("msg").GetString());
    }
}
