using Microsoft.AspNetCore.Http;

namespace Micro.Web;

/// <summary>
/// The dashboard's CSRF check. Its pages carry a token (a meta tag app.js sends back as <c>X-Micro-Csrf</c>, a hidden
/// field in the sign-out form); a request that changes something and that a browser could have sent on its own (it
/// came with the session cookie, or, without sign-in, from a browser at all) must bring it. Web apps proxied on the
/// dashboard's origin run sandboxed in an opaque origin, so they cannot read a page to learn it.
/// </summary>
internal static class DashboardCsrf
{
    public const string HeaderName = "X-Micro-Csrf";
    public const string FieldName = "csrf";
    private const string TokenKey = "micro.csrf";

    /// <summary>The token this request's pages carry and its state-changing requests must bring.</summary>
    public static void Expect(HttpContext context, string token) => context.Items[TokenKey] = token;

    public static string? TokenOf(HttpContext context) => context.Items[TokenKey] as string;

    /// <summary>Runs after sign-in: without sign-in the process's token is expected of browsers.</summary>
    public static Func<HttpContext, Func<Task>, Task> Middleware(DashboardSessions sessions, bool signIn) => async (context, next) =>
    {
        var request = context.Request;
        if (!signIn)
        {
            Expect(context, sessions.AnonymousToken);
        }

        var changes = !(HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method));
        var path = request.Path.Value ?? "/";
        // The sign-in form has no session yet (the origin check covers it); web apps have their own rules.
        var own = path is "/signout" || path.StartsWith("/api/", StringComparison.Ordinal);
        // Signed in: the sign-in expects a token only of requests that came with the session cookie (not of Bearer scripts).
        var fromBrowser = signIn || request.Headers.Origin.Count > 0 || request.Headers.ContainsKey("Sec-Fetch-Site");
        if (changes && own && fromBrowser && TokenOf(context) is { } expected)
        {
            string? given = request.Headers[HeaderName].ToString() is { Length: > 0 } header ? header
                : request.HasFormContentType ? (await request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false))[FieldName].ToString() : null;
            if (!DashboardSessions.TokenMatches(given, expected))
            {
                await Micro.Edge.EdgeErrors.WriteAsync(context, MicroException.Forbidden("go.micro.web",
                    $"this request needs the dashboard's CSRF token ({HeaderName}), which only the dashboard's own pages have; reload the page")).ConfigureAwait(false);
                return;
            }
        }

        await next().ConfigureAwait(false);
    };
}
