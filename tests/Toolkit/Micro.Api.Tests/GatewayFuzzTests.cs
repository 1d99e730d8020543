using System.Text;
using Micro.Testing;
using Microsoft.AspNetCore.Http;

namespace Micro.Api.Tests;

/// <summary>
/// The gateway's request mapping (path resolution for every resolver, and the rpc/api/event bodies built from method,
/// content type, query and body) fed 200,000 malformed requests: only clean 400s, no crash, no hang.
/// </summary>
public sealed class GatewayFuzzTests
{
    private static readonly string[] ContentTypes =
    [
        "application/json", "application/x-www-form-urlencoded", "multipart/form-data; boundary=xyz", "text/plain", "application/protobuf",
        "application/vnd.api+json", "", "application/json; charset=utf-16", "multipart/form-data",
    ];

    private static readonly byte[][] Seeds =
    [
        "/greeter/say/hello?name=John&x=1&x=2"u8.ToArray(),
        "/v1/foo/bar/baz?a=%20b"u8.ToArray(),
        """{"name":"John","n":[1,2,3]}"""u8.ToArray(),
        "name=John&age=3&name=Jane"u8.ToArray(),
        "--xyz\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--xyz--\r\n"u8.ToArray(),
        "/../%2e%2e/etc/passwd?%zz=%"u8.ToArray(),
    ];

    [Fact]
    public async Task Malformed_requests_map_to_routes_or_clean_errors()
    {
        var typeRandom = new Random(21);
        var (inputs, _) = await Fuzz.RunAsync(5, Seeds, 200_000, input =>
        {
            var text = Encoding.UTF8.GetString(input);
            var split = text.IndexOf('?', StringComparison.Ordinal);
            var path = "/" + (split < 0 ? text : text[..split]).TrimStart('/');
            foreach (var resolver in new[] { ApiResolvers.Micro, ApiResolvers.Path, ApiResolvers.Host })
            {
                foreach (var ns in new[] { "go.micro.api", "" })
                {
                    var route = ApiRouteResolver.Resolve(resolver, ns, path, text);
                    if (route is not null && (route.Service is null || route.Endpoint is null))
                    {
                        throw new InvalidOperationException("a route without a service or endpoint");
                    }
                }
            }

            var context = new DefaultHttpContext();
            var request = context.Request;
            request.Method = typeRandom.Next(2) == 0 ? "POST" : "GET";
            request.Path = new PathString(path.Replace("\0", "", StringComparison.Ordinal)); // Kestrel itself refuses NUL in a path
            request.QueryString = split < 0 ? QueryString.Empty : new QueryString("?" + text[(split + 1)..].Replace("#", "%23", StringComparison.Ordinal));
            request.ContentType = ContentTypes[typeRandom.Next(ContentTypes.Length)];
            request.Body = new MemoryStream(input);
            request.ContentLength = input.Length;
            _ = RequestBodies.RpcRequestAsync(request, default).GetAwaiter().GetResult();
            request.Body = new MemoryStream(input);
            _ = RequestBodies.ApiRequestAsync(request, default).GetAwaiter().GetResult();
            _ = RequestBodies.Event("orders", request, input, TimeProvider.System);
        }, e => e is MicroException { Code: 400 }, TimeSpan.FromMinutes(3));
        Assert.Equal(200_000L * Fuzz.Scale, inputs);
    }
}
