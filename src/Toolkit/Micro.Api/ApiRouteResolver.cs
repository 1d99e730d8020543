using System.Text;
using System.Text.RegularExpressions;

namespace Micro.Api;

/// <summary>
/// go-micro's path rules (resolver <c>micro</c>): <c>/foo/bar</c> -> <c>ns.foo</c> <c>Foo.Bar</c>; <c>/foo/bar/baz</c> ->
/// <c>ns.foo</c> <c>Bar.Baz</c>; <c>/foo/bar/baz/cat</c> -> <c>ns.foo.bar</c> <c>Baz.Cat</c>; <c>/v1/foo/bar</c> ->
/// <c>ns.v1.foo</c> <c>Foo.Bar</c>; <c>/foo</c> -> <c>ns.foo</c> <c>Foo.Call</c>; hyphenated segments become CamelCase.
/// Resolver <c>path</c>: the first segment is the service, the endpoint from the rest as above. Resolver <c>host</c>: the
/// first label of the Host is the service.
/// </summary>
public static partial class ApiRouteResolver
{
    [GeneratedRegex("^v[0-9]+$")]
    private static partial Regex Version();

    public static ApiRoute? Resolve(string resolver, string ns, string path, string? host = null)
    {
        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        switch (resolver)
        {
            case ApiResolvers.Host:
                var label = (host ?? "").Split(':')[0].Split('.')[0];
                if (label.Length == 0)
                {
                    return null;
                }

                return new ApiRoute(Qualify(ns, label), parts.Length switch
                {
                    0 => Camel(label) + ".Call",
                    1 => Camel(label) + "." + Camel(parts[0]),
                    _ => Camel(parts[^2]) + "." + Camel(parts[^1]),
                }, path);
            case ApiResolvers.Path:
                return parts.Length == 0 ? null : new ApiRoute(Qualify(ns, parts[0]), EndpointOf(parts), path);
            default:
                if (parts.Length == 0)
                {
                    return null;
                }

                string service;
                if (parts.Length <= 2)
                {
                    service = parts[0];
                }
                else if (parts.Length == 3 && Version().IsMatch(parts[0]))
                {
                    service = parts[0] + "." + parts[1];
                }
                else
                {
                    service = string.Join('.', parts[..^2]);
                }

                return new ApiRoute(Qualify(ns, service), EndpointOf(parts), path);
        }
    }

    /// <summary>The service an http/web/event request goes to: the namespace plus the first path segment.</summary>
    public static string? FirstSegmentService(string ns, string path)
    {
        var first = path.Split('/', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
        return first is null ? null : Qualify(ns, first);
    }

    /// <summary>The namespace and the name; an empty namespace exposes services by their bare names.</summary>
    public static string Qualify(string ns, string name) => ns.Length == 0 ? name : ns + "." + name;

    private static string EndpointOf(string[] parts) => parts.Length switch
    {
        1 => Camel(parts[0]) + ".Call",
        2 => Camel(parts[0]) + "." + Camel(parts[1]),
        _ => Camel(parts[^2]) + "." + Camel(parts[^1]),
    };

    /// <summary><c>say-hello</c> -> <c>SayHello</c>, <c>hello</c> -> <c>Hello</c>.</summary>
    public static string Camel(string segment)
    {
        var sb = new StringBuilder(segment.Length);
        var upper = true;
        foreach (var c in segment)
        {
            if (c == '-')
            {
                upper = true;
                continue;
            }

            sb.Append(upper ? char.ToUpperInvariant(c) : c);
            upper = false;
        }

        return sb.ToString();
    }
}
