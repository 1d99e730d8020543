using Micro.Edge;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Micro.Api;

/// <summary>Turns HTTP requests into what the handlers send: the rpc request body, and go-micro's api.Request JSON.</summary>
public static class RequestBodies
{
    /// <summary>Reads the whole body (bounded by Kestrel's body size limit, which throws a 413 when passed).</summary>
    public static async Task<byte[]> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.ContentLength is { } length and <= int.MaxValue)
        {
            // The usual case: the size is known, so read straight into an array of that size.
            var body = new byte[length];
            await request.Body.ReadExactlyAsync(body, cancellationToken).ConfigureAwait(false);
            return body;
        }

        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
        return buffer.ToArray();
    }

    /// <summary>
    /// The rpc request: a JSON body as is (checked), a form as a JSON object of its fields, no body (GET) the query string
    /// as a JSON object; any other content type passes through untouched with its type (protobuf, for example).
    /// </summary>
    public static async Task<(byte[] Body, string ContentType)> RpcRequestAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var contentType = request.ContentType?.Split(';')[0].Trim().ToLowerInvariant() ?? "";
        if (request.HasFormContentType)
        {
            var form = await ReadFormAsync(request, cancellationToken).ConfigureAwait(false);
            return (ObjectOf(form.Select(f => (f.Key, f.Value))), "application/json");
        }

        var body = await ReadAsync(request, cancellationToken).ConfigureAwait(false);
        if (body.Length == 0)
        {
            return (ObjectOf(request.Query.Select(q => (q.Key, q.Value))), "application/json");
        }

        if (contentType.Length == 0 || contentType == "application/json" || contentType.EndsWith("+json", StringComparison.Ordinal) || contentType == "text/plain")
        {
            try
            {
                // Checked with a reader: no document is built, the service parses the body anyway.
                var reader = new Utf8JsonReader(body);
                while (reader.Read())
                {
                }
            }
            catch (JsonException e)
            {
                throw MicroException.BadRequest(EdgeErrors.GatewayId, $"the request body is not valid JSON: {e.Message}");
            }

            return (body, "application/json");
        }

        return (body, contentType);
    }

    /// <summary>The form, or a 400 naming what is wrong with it (a multipart body without a boundary, a bad section...).</summary>
    private static async Task<IFormCollection> ReadFormAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        try
        {
            return await request.ReadFormAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidDataException e)
        {
            throw MicroException.BadRequest(EdgeErrors.GatewayId, $"the form body is malformed: {e.Message}");
        }
        catch (IOException e) when (!request.HttpContext.RequestAborted.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            // The whole body arrived but a multipart section ends before its boundary.
            throw MicroException.BadRequest(EdgeErrors.GatewayId, $"the form body is malformed: {e.Message}");
        }
    }

    /// <summary>go-micro's api.Request: <c>{method, path, header, get, post, body, url}</c>, pairs as <c>{key, values}</c>.</summary>
    public static async Task<byte[]> ApiRequestAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        IEnumerable<(string, StringValues)> post = [];
        byte[] body = [];
        if (request.HasFormContentType)
        {
            var form = await ReadFormAsync(request, cancellationToken).ConfigureAwait(false);
            post = form.Select(f => (f.Key, f.Value)).ToArray();
        }
        else
        {
            body = await ReadAsync(request, cancellationToken).ConfigureAwait(false);
        }

        using var output = new MemoryStream();
        using (var json = new Utf8JsonWriter(output))
        {
            json.WriteStartObject();
            json.WriteString("method", request.Method);
            json.WriteString("path", request.Path.Value ?? "/");
            WritePairs(json, "header", request.Headers.Select(h => (h.Key, h.Value)));
            WritePairs(json, "get", request.Query.Select(q => (q.Key, q.Value)));
            WritePairs(json, "post", post);
            json.WriteString("body", Encoding.UTF8.GetString(body));
            json.WriteString("url", $"{request.Scheme}://{request.Host}{request.Path}{request.QueryString}");
            json.WriteEndObject();
        }

        return output.ToArray();
    }

    /// <summary>A go-micro event: <c>{name, id, timestamp, header, data}</c>.</summary>
    public static byte[] Event(string name, HttpRequest request, byte[] body, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(time);
        using var output = new MemoryStream();
        using (var json = new Utf8JsonWriter(output))
        {
            json.WriteStartObject();
            json.WriteString("name", name);
            json.WriteString("id", Guid.NewGuid().ToString());
            json.WriteNumber("timestamp", time.GetUtcNow().ToUnixTimeSeconds());
            WritePairs(json, "header", request.Headers.Select(h => (h.Key, h.Value)));
            json.WriteString("data", Encoding.UTF8.GetString(body));
            json.WriteEndObject();
        }

        return output.ToArray();
    }

    private static byte[] ObjectOf(IEnumerable<(string Key, StringValues Values)> fields)
    {
        using var output = new MemoryStream();
        using (var json = new Utf8JsonWriter(output))
        {
            json.WriteStartObject();
            foreach (var (key, values) in fields)
            {
                if (values.Count > 1)
                {
                    json.WriteStartArray(key);
                    foreach (var v in values)
                    {
                        json.WriteStringValue(v);
                    }

                    json.WriteEndArray();
                }
                else
                {
                    json.WriteString(key, values.ToString());
                }
            }

            json.WriteEndObject();
        }

        return output.ToArray();
    }

    private static void WritePairs(Utf8JsonWriter json, string name, IEnumerable<(string Key, StringValues Values)> pairs)
    {
        json.WriteStartObject(name);
        foreach (var (key, values) in pairs)
        {
            json.WriteStartObject(key);
            json.WriteString("key", key);
            json.WriteStartArray("values");
            foreach (var v in values)
            {
                json.WriteStringValue(v);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        json.WriteEndObject();
    }
}
