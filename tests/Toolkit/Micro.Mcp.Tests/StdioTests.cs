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
}
