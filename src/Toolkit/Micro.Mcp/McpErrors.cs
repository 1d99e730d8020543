namespace Micro.Mcp;

/// <summary>The <c>id</c> of the go-micro error JSON the MCP server itself writes (bad arguments, rate limit, refusals).</summary>
internal static class McpErrors
{
    public const string Id = "go.micro.mcp";
}
