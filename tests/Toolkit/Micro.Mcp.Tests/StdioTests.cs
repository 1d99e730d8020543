using System.Text.Json;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace Micro.Mcp.Tests;

/// <summary><c>micro mcp</c> as an agent host runs it: a process spoken to over stdio by the SDK's client, beside a real Greeter.</summary>
public sealed class StdioTests : IAsyncLifetime
{
    private readonly string _registry = Path.Combine(Path.GetTempPath(), "micro-mcp", Guid.NewGuid().ToString("N"));
    private RunningProcess _greeter = null!;

    private Dictionary<string, string> Env => new() { ["MICRO_REGISTRY"] = "local", ["MICRO_REGISTRY_ADDRESS"] = _registry, ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1" };

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_registry);
        _greeter = new RunningProcess(Programs.GreeterService, [], Env);
        await _greeter.WaitForOutputAsync("registered in local", TimeSpan.FromSeconds(60));
    }

    public async Task DisposeAsync()
    {
        await _greeter.DisposeAsync();
        Directory.Delete(_registry, recursive: true);
    }

    [Fact]
    public async Task An_agent_host_lists_the_greeters_tool_and_calls_it_over_stdio()
    {
        var transport = new StdioClientTransport(new StdioClientTransportOptions
        {
            Name = "micro",
            Command = "dotnet",
            Arguments = [Programs.Cli, "mcp"],
            EnvironmentVariables = Env.ToDictionary(kv => kv.Key, kv => (string?)kv.Value),
        });
        await using var client = await McpClient.CreateAsync(transport);
        Assert.Equal("micro", client.ServerInfo?.Name);

        var tool = Assert.Single(await client.ListToolsAsync(), t => t.Name == "greeter_Greeter_Hello");
        // The contract method's doc comment, carried by the generator into the endpoint's metadata.
        Assert.Equal("Greets a person: answers \"Hello \" and their name.\nrequest: Who to greet, by Name.", tool.Description);
        Assert.Equal("string", tool.JsonSchema.GetProperty("properties").GetProperty("name").GetProperty("type").GetString());

        var result = await client.CallToolAsync("greeter_Greeter_Hello", new Dictionary<string, object?> { ["name"] = "agent" });
        Assert.NotEqual(true, result.IsError);
        var reply = JsonDocument.Parse(Assert.IsType<TextContentBlock>(Assert.Single(result.Content)).Text).RootElement;
        Assert.Equal("Hello agent", reply.GetProperty("msg").GetString());
    }

    [Fact]
    public async Task Micro_mcp_with_an_address_serves_streamable_http_behind_its_keys()
    {
        const string key = "agent-key-0123456789abcdef";
        var env = Env;
        env["MICRO_MCP_AUTH_KEYS"] = "agent=" + key;
        await using var mcp = new RunningProcess(Programs.Cli, ["mcp", "--address", "127.0.0.1:0", "--auth", "api_key", "--mcp_allow", "agent=greeter.*"], env);
        await mcp.WaitForOutputAsync("/mcp (tools for agent=greeter.*)", TimeSpan.FromSeconds(60));
        var url = System.Text.RegularExpressions.Regex.Match(mcp.Output, @"micro mcp listening on (http://127\.0\.0\.1:[0-9]+/mcp)").Groups[1].Value;
        Assert.NotEmpty(url);
        Assert.DoesNotContain(key, mcp.Output, StringComparison.Ordinal);

        var transport = new HttpClientTransport(new HttpClientTransportOptions
        {
            Endpoint = new Uri(url),
            TransportMode = HttpTransportMode.StreamableHttp,
            AdditionalHeaders = new Dictionary<string, string> { ["Authorization"] = "Bearer " + key },
        });
        await using var client = await McpClient.CreateAsync(transport);
        Assert.Equal(["greeter_Greeter_Hello"], (await client.ListToolsAsync()).Select(t => t.Name));
        var result = await client.CallToolAsync("greeter_Greeter_Hello", new Dictionary<string, object?> { ["name"] = "http" });
        Assert.Equal("Hello http", JsonDocument.Parse(((TextContentBlock)result.Content[0]).Text).RootElement.GetProperty("msg").GetString());
    }

    [Theory]
    [InlineData("--auth api_key --auth_keys agent=agent-key-0123456789abcdef", "add --address")]
    [InlineData("--address 127.0.0.1:0 --auth api_key", "--auth api_key needs at least one key")]
    [InlineData("--mcp_allow nobody", "'nobody' is not SUBJECT=GLOB")]
    [InlineData("--mcp_max_stream 0", "--mcp_max_stream 0: expected 1 to 10000")]
    [InlineData("--mcp_timeout soon", "--mcp_timeout")]
    [InlineData("--rate_limit lots", "--rate_limit")]
    [InlineData("--address 0.0.0.0:0", "needs --auth")]
    public async Task A_bad_flag_ends_micro_mcp_with_one_line_saying_what_to_change_and_exit_code_2(string flags, string message)
    {
        var (code, output) = await RunningProcess.RunAsync(Programs.Cli, ["mcp", .. flags.Split(' ')], Env, TimeSpan.FromSeconds(60));
        Assert.Equal(2, code);
        Assert.Contains(message, output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
    }
}
