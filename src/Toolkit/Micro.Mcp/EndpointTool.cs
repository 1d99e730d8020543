using System.Text.Json;
using Micro.Client;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Micro.Mcp;

/// <summary>
/// One service endpoint as an MCP tool: a call is an RPC through the normal client (selector, retries, deadline), its
/// arguments the request's JSON object; the reply is the tool's result as JSON text, and a service error is a tool
/// error carrying go-micro's error JSON.
/// </summary>
internal sealed class EndpointTool(IMicroClient client, string service, string endpoint, Tool tool) : McpServerTool
{
    public string Service => service;

    public string Endpoint => endpoint;

    public override Tool ProtocolTool => tool;

    public override IReadOnlyList<object> Metadata => [];

    public override async ValueTask<CallToolResult> InvokeAsync(RequestContext<CallToolRequestParams> request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var body = JsonSerializer.SerializeToUtf8Bytes(request.Params?.Arguments ?? new Dictionary<string, JsonElement>(), McpJson.Default.IDictionaryStringJsonElement);
        try
        {
            var reply = await client.CallAsync(new MicroRequest(service, endpoint, body, "application/json"), cancellationToken: cancellationToken).ConfigureAwait(false);
            return new CallToolResult { Content = [new TextContentBlock { Text = System.Text.Encoding.UTF8.GetString(reply.Body.Span) }] };
        }
        catch (MicroException e)
        {
            return new CallToolResult { IsError = true, Content = [new TextContentBlock { Text = e.ToJson() }] };
        }
    }
}
