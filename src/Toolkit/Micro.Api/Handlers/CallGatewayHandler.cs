using Micro.Edge;
using System.Text.Json;
using Micro.Client;
using Microsoft.AspNetCore.Http;

namespace Micro.Api;

/// <summary>
/// The <c>rpc</c> handler (the body, JSON or protobuf, is the request; the reply is the response) and the <c>api</c>
/// handler (the request is go-micro's api.Request built from the HTTP request; the reply is an api.Response whose status,
/// headers and body are written back).
/// </summary>
internal sealed class CallGatewayHandler(IMicroClient client, ApiOptions options, bool api) : IGatewayHandler
{
    public async Task HandleAsync(HttpContext context, ApiRoute route)
    {
        var (body, contentType) = api
            ? (await RequestBodies.ApiRequestAsync(context.Request, context.RequestAborted).ConfigureAwait(false), "application/json")
            : await RequestBodies.RpcRequestAsync(context.Request, context.RequestAborted).ConfigureAwait(false);
        var callOptions = new CallOptions { Metadata = RequestMetadata.From(context.Request), Timeout = options.RequestTimeout };
        MicroResponse reply;
        try
        {
            reply = await client.CallAsync(new MicroRequest(route.Service, route.Endpoint, body, contentType), callOptions, context.RequestAborted).ConfigureAwait(false);
        }
        catch (MicroException e) when (e.Code == 404)
        {
            // Say what the path was turned into: the most common confusion at a gateway.
            throw new MicroException(e.Id, 404, $"{route.Path} was routed to service {route.Service}, endpoint {route.Endpoint}: {e.Detail}");
        }

        if (api)
        {
            await WriteApiResponseAsync(context, reply.Body).ConfigureAwait(false);
            return;
        }

        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = reply.ContentType;
        context.Response.ContentLength = reply.Body.Length;
        await context.Response.Body.WriteAsync(reply.Body, context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>go-micro's api.Response: <c>{statusCode, header: {k: {key, values}}, body}</c>.</summary>
    private static async Task WriteApiResponseAsync(HttpContext context, ReadOnlyMemory<byte> reply)
    {
        int status;
        string body;
        using (var doc = ParseReply(reply))
        {
            var root = doc.RootElement;
            status = root.TryGetProperty("statusCode", out var s) && s.TryGetInt32(out var code) && code is >= 100 and <= 599 ? code : 200;
            body = root.TryGetProperty("body", out var b) && b.ValueKind == JsonValueKind.String ? b.GetString()! : "";
            if (root.TryGetProperty("header", out var headers) && headers.ValueKind == JsonValueKind.Object)
            {
                foreach (var header in headers.EnumerateObject())
                {
                    if (header.Value.TryGetProperty("values", out var values) && values.ValueKind == JsonValueKind.Array)
                    {
                        context.Response.Headers[header.Name] = values.EnumerateArray().Select(v => v.GetString()).ToArray();
                    }
                }
            }
        }

        context.Response.StatusCode = status;
        await context.Response.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
    }

    private static JsonDocument ParseReply(ReadOnlyMemory<byte> reply)
    {
        try
        {
            return JsonDocument.Parse(reply);
        }
        catch (JsonException e)
        {
            throw new MicroException(EdgeErrors.GatewayId, 502, $"the service's reply is not an api response ({{statusCode, header, body}}): {e.Message}");
        }
    }
}
