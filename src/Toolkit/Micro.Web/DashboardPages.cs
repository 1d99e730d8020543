using Micro.Edge.Auth;
using Microsoft.AspNetCore.Http;

namespace Micro.Web;

/// <summary>The dashboard's HTML pages and embedded static files, with the headers its own pages carry.</summary>
internal static class DashboardPages
{
    /// <summary>The dashboard's own first path segments; every other <c>/{name}</c> is a web app.</summary>
    public static readonly HashSet<string> Reserved = new(StringComparer.OrdinalIgnoreCase) { "service", "apps", "terminal", "api", "events", "static", "favicon.ico", "signin", "signout" };

    /// <summary>The first segment of the path after the dashboard's prefix, or null at its root.</summary>
    public static string? FirstSegment(HttpContext context)
        => context.Request.Path.Value?.Split('/', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();

    public static Task SecurityHeaders(HttpContext context, Func<Task> next)
    {
        // The dashboard's own pages; proxied web apps set their own headers.
        var first = FirstSegment(context) ?? "";
        if (first.Length == 0 || Reserved.Contains(first))
        {
            context.Response.Headers.XContentTypeOptions = "nosniff";
            context.Response.Headers.XFrameOptions = "DENY";
            // same-origin, not no-referrer: under no-referrer browsers send "Origin: null" with the pages' own form posts,
            // which the origin check (BrowserGuard) must refuse.
            context.Response.Headers["Referrer-Policy"] = "same-origin";
            context.Response.Headers.ContentSecurityPolicy = "default-src 'self'; style-src 'self'; script-src 'self'; connect-src 'self'";
        }

        return next();
    }

    public static Task PageAsync(HttpContext context, string page, string title, string? service)
    {
        context.Response.ContentType = "text/html; charset=utf-8";
        var user = EdgeAuthMiddleware.IdentityOf(context)?.Subject;
        return context.Response.WriteAsync(PageShell.Render(page, title, service, user: user, csrf: DashboardCsrf.TokenOf(context), basePath: context.Request.PathBase.Value ?? ""), context.RequestAborted);
    }

    public static Task NotFoundAsync(HttpContext context, string message)
    {
        context.Response.StatusCode = StatusCodes.Status404NotFound;
        context.Response.ContentType = "text/html; charset=utf-8";
        return context.Response.WriteAsync(PageShell.Render("notfound", "Not found", null, message, basePath: context.Request.PathBase.Value ?? ""), context.RequestAborted);
    }

    /// <summary>GET /static/{file}: app.js, app.css, embedded in this assembly; nothing else is read.</summary>
    public static async Task StaticFileAsync(HttpContext context, string file)
    {
        await using var stream = typeof(DashboardPages).Assembly.GetManifestResourceStream("wwwroot/" + file);
        if (stream is null)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        context.Response.ContentType = Path.GetExtension(file) switch
        {
            ".js" => "text/javascript; charset=utf-8",
            ".css" => "text/css; charset=utf-8",
            ".svg" => "image/svg+xml",
            _ => "application/octet-stream",
        };
        context.Response.Headers.CacheControl = "no-cache";
        await stream.CopyToAsync(context.Response.Body, context.RequestAborted).ConfigureAwait(false);
    }
}
