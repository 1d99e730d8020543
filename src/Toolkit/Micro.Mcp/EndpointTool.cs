using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Micro.Client;
using Micro.Transport;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Micro.Mcp;

/// <summary>
/// One service endpoint as an MCP tool. A call is an RPC through the normal client (selector, retries, deadline), its
/// arguments the request's JSON object, checked against the input schema first; the reply is the tool's result as JSON
/// text and, when it is an object, as structured content. A server-stream endpoint sends one request and returns up to
/// <see cref="McpOptions.MaxStreamMessages"/> replies, with a progress notification for each when the client asked for
/// progress. A service error is a tool error carrying go-micro's error JSON.
/// </summary>
internal sealed class EndpointTool(string service, string endpoint, bool stream, Tool tool)
{
    public string Service => service;

    public string Endpoint => endpoint;

    public bool IsStream => stream;

    public Tool ProtocolTool => tool;

    public async ValueTask<CallToolResult> InvokeAsync(IMicroClient client, RequestContext<CallToolRequestParams> request, CallOptions options, int maxStream, CancellationToken cancellationToken)
    {
        var arguments = request.Params?.Arguments;
        if (ToolArguments.Check(tool.InputSchema, arguments) is { } wrong)
        {
            throw MicroException.BadRequest(McpErrors.Id, $"{tool.Name}: {wrong}");
        }

        var body = JsonSerializer.SerializeToUtf8Bytes(arguments ?? new Dictionary<string, JsonElement>(), McpJson.Default.IDictionaryStringJsonElement);
        var call = new MicroRequest(service, endpoint, body, "application/json");
        if (!stream)
        {
            var reply = await client.CallAsync(call, options, cancellationToken).ConfigureAwait(false);
            return Result(reply.Body, asObject: true);
        }

        return await StreamAsync(client, call, request, options, maxStream, cancellationToken).ConfigureAwait(false);
    }

    private static async ValueTask<CallToolResult> StreamAsync(IMicroClient client, MicroRequest call, RequestContext<CallToolRequestParams> request, CallOptions options, int maxStream, CancellationToken cancellationToken)
    {
        var progress = request.Params?.ProgressToken;
        var messages = new JsonArray();
        var truncated = false;
        var opened = await client.OpenStreamAsync(call with { Body = ReadOnlyMemory<byte>.Empty }, options, cancellationToken).ConfigureAwait(false);
        await using (opened.ConfigureAwait(false))
        {
            await opened.SendAsync(call.Body, cancellationToken).ConfigureAwait(false);
            await opened.CompleteAsync(cancellationToken).ConfigureAwait(false);
            while (await opened.ReceiveAsync(cancellationToken).ConfigureAwait(false) is { } message)
            {
                if (messages.Count == maxStream)
                {
                    truncated = true; // disposing the stream below cancels it at the server
                    break;
                }

                messages.Add(Parse(message));
                if (progress is { } token)
                {
                    await request.Server.NotifyProgressAsync(token, new ProgressNotificationValue
                    {
                        Progress = messages.Count,
                        Message = string.Create(CultureInfo.InvariantCulture, $"{messages.Count} message{(messages.Count == 1 ? "" : "s")}"),
                    }, cancellationToken: cancellationToken).ConfigureAwait(false);
                }
            }
        }

        var structured = new JsonObject { ["messages"] = messages, ["truncated"] = truncated };
        return new CallToolResult
        {
            Content = [new TextContentBlock { Text = structured.ToJsonString() }],
            StructuredContent = JsonSerializer.SerializeToElement(structured, McpJson.Default.JsonObject),
        };
    }

    /// <summary>A reply as JSON text, and as structured content when it is a JSON object (MCP's structured results are objects).</summary>
    private static CallToolResult Result(ReadOnlyMemory<byte> body, bool asObject)
    {
        var text = Encoding.UTF8.GetString(body.Span);
        JsonElement? structured = null;
        if (asObject)
        {
            try
            {
                using var document = JsonDocument.Parse(body);
                if (document.RootElement.ValueKind == JsonValueKind.Object)
                {
                    structured = document.RootElement.Clone();
                }
            }
            catch (JsonException)
            {
                // not JSON (a service answering in another codec): text only
            }
        }

        return new CallToolResult { Content = [new TextContentBlock { Text = text }], StructuredContent = structured };
    }

    private static JsonNode? Parse(ReadOnlyMemory<byte> message)
    {
        try
        {
            return JsonNode.Parse(message.Span);
        }
        catch (JsonException)
        {
            return JsonValue.Create(Encoding.UTF8.GetString(message.Span));
        }
    }
}
