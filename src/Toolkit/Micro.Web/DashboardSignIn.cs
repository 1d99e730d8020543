using System.Text.Encodings.Web;
using Micro.Edge;
using Micro.Edge.Auth;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Micro.Web;

/// <summary>
/// The dashboard's sign-in, when <see cref="WebOptions.Authenticator"/> is set. People sign in at <c>/signin</c> with an
/// API key or JWT; the dashboard checks it with the same authenticator as every request and starts a session
/// (<see cref="DashboardSessions"/>): the HttpOnly, SameSite=Strict cookie (Secure over HTTPS) holds only the session's
/// random id, never the credential. Scripts may send <c>Authorization: Bearer</c> instead. Pages redirect to the
/// sign-in; the API and feed answer 401. The cookie is removed from requests passed to web apps.
/// </summary>
internal sealed class DashboardSignIn(IEdgeAuthenticator authenticator, DashboardSessions sessions, ILogger logger)
{
    public const string CookieName = "micro_dashboard";
    private const string ErrorId = "go.micro.web";

    public async Task InvokeAsync(HttpContext context, Func<Task> next)
    {
        var path = context.Request.Path.Value ?? "/";
        if (path is "/signin" || path.StartsWith("/static/", StringComparison.Ordinal))
        {
            await next().ConfigureAwait(false);
            return;
        }

        string? reason = null;
        EdgeIdentity? identity;
        var sessionId = context.Request.Cookies[CookieName];
        var fromCookie = context.Request.Headers.Authorization.Count == 0 && context.Request.Headers["X-Api-Key"].Count == 0 && sessionId is { Length: > 0 };
        if (fromCookie)
        {
            // A browser: the session's identity, and its CSRF token for what changes something.
            var session = sessions.Find(sessionId);
            identity = session?.Identity;
            reason = session is null ? "the session ended (expired or signed out)" : null;
            if (session is not null)
            {
                DashboardCsrf.Expect(context, session.CsrfToken);
            }
        }
        else
        {
            identity = await authenticator.AuthenticateAsync(context, r => reason = r, context.RequestAborted).ConfigureAwait(false);
        }

        if (identity is null && path is "/signout")
        {
            await SignOutAsync(context).ConfigureAwait(false); // already signed out: forget the cookie all the same
            return;
        }

        if (identity is null)
        {
            reason ??= "not signed in";
            logger.LogInformation("Refused {Method} {Path} from {Remote}: {Reason}", context.Request.Method, path, context.Connection.RemoteIpAddress, reason);
            if (fromCookie)
            {
                context.Response.Cookies.Delete(CookieName, new CookieOptions { Path = CookiePath(context) }); // expired or revoked: sign in again
            }

            if (HttpMethods.IsGet(context.Request.Method) && context.Request.Headers.Accept.ToString().Contains("text/html", StringComparison.Ordinal))
            {
                context.Response.Redirect(context.Request.PathBase + "/signin?return=" + Uri.EscapeDataString(path + context.Request.QueryString), permanent: false);
                return;
            }

            await EdgeErrors.WriteAsync(context, MicroException.Unauthorized(ErrorId, reason + "; sign in at " + context.Request.PathBase + "/signin"),
                headers => headers.WWWAuthenticate = "Bearer").ConfigureAwait(false);
            return;
        }

        if (path is "/signout")
        {
            sessions.End(sessionId);
        }

        context.Items[EdgeAuthMiddleware.IdentityKey] = identity;
        StripCookie(context.Request);
        await next().ConfigureAwait(false);
    }

    /// <summary>GET /signin: the form.</summary>
    public static Task FormAsync(HttpContext context)
        => WritePageAsync(context, StatusCodes.Status200OK, null, SafeReturn(context.Request.Query["return"]));

    /// <summary>POST /signin: checks the credential as a request carrying it would be checked; sets the cookie.</summary>
    public async Task SignInAsync(HttpContext context)
    {
        var form = context.Request.HasFormContentType ? await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false) : null;
        var credential = form?["credential"].ToString().Trim() ?? "";
        var returnTo = SafeReturn(form?["return"]);
        var probe = new DefaultHttpContext();
        probe.Request.Headers.Authorization = "Bearer " + credential;
        probe.Connection.RemoteIpAddress = context.Connection.RemoteIpAddress;
        string? reason = null;
        var identity = credential.Length == 0 ? null : await authenticator.AuthenticateAsync(probe, r => reason = r, context.RequestAborted).ConfigureAwait(false);
        if (identity is null)
        {
            reason ??= "enter an API key or token";
            logger.LogInformation("Sign-in refused from {Remote}: {Reason}", context.Connection.RemoteIpAddress, reason);
            await WritePageAsync(context, StatusCodes.Status401Unauthorized, reason, returnTo).ConfigureAwait(false);
            return;
        }

        logger.LogInformation("{Subject} signed in to the dashboard from {Remote}", identity.Subject, context.Connection.RemoteIpAddress);
        sessions.End(context.Request.Cookies[CookieName]); // a new sign-in replaces the session the browser had
        var (sessionId, session) = sessions.Start(identity);
        context.Response.Cookies.Append(CookieName, sessionId, new CookieOptions
        {
            Expires = session.Expires,
            HttpOnly = true,
            SameSite = SameSiteMode.Strict,
            Secure = context.Request.IsHttps,
            Path = CookiePath(context),
            IsEssential = true,
        });
        context.Response.StatusCode = StatusCodes.Status303SeeOther;
        context.Response.Headers.Location = context.Request.PathBase + returnTo;
    }

    /// <summary>POST /signout: forgets the cookie (the session was ended on the way in).</summary>
    public static Task SignOutAsync(HttpContext context)
    {
        context.Response.Cookies.Delete(CookieName, new CookieOptions { Path = CookiePath(context) });
        context.Response.StatusCode = StatusCodes.Status303SeeOther;
        context.Response.Headers.Location = context.Request.PathBase + "/signin";
        return Task.CompletedTask;
    }

    /// <summary>The cookie goes only to the dashboard's own paths (<c>/ops</c> when mapped there), not to the rest of the app.</summary>
    private static string CookiePath(HttpContext context) => context.Request.PathBase.HasValue ? context.Request.PathBase.Value! : "/";

    /// <summary>Only a path on this dashboard (after its path base): never another host (<c>//evil</c>, <c>https://...</c>, <c>/\evil</c>).</summary>
    internal static string SafeReturn(string? value)
        => value is { Length: > 0 } v && v[0] == '/' && (v.Length == 1 || (v[1] != '/' && v[1] != '\\')) && !v.Contains("://", StringComparison.Ordinal) ? v : "/";

    private static void StripCookie(HttpRequest request)
    {
        var cookies = request.Headers.Cookie.ToString();
        if (cookies.Contains(CookieName, StringComparison.Ordinal))
        {
            var kept = cookies.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                .Where(c => !c.StartsWith(CookieName + "=", StringComparison.Ordinal));
            var rest = string.Join("; ", kept);
            if (rest.Length == 0)
            {
                request.Headers.Remove("Cookie");
            }
            else
            {
                request.Headers.Cookie = rest;
            }
        }
    }

    private static Task WritePageAsync(HttpContext context, int status, string? error, string returnTo)
    {
        var html = HtmlEncoder.Default;
        var at = html.Encode(context.Request.PathBase.Value ?? "");
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/html; charset=utf-8";
        return context.Response.WriteAsync($$"""
            <!doctype html>
            <html lang="en">
            <head>
              <meta charset="utf-8">
              <meta name="viewport" content="width=device-width, initial-scale=1">
              <title>Sign in · micro</title>
              <link rel="stylesheet" href="{{at}}/static/app.css">
            </head>
            <body data-page="signin">
              <header><a class="brand" href="{{at}}/"><span class="logo">μ</span> micro</a></header>
              <main id="main" class="signin">
                <h1>Sign in</h1>
                <p class="muted">This dashboard asks for an API key or a token (JWT).</p>
                {{(error is null ? "" : $"<p class=\"error\" role=\"alert\">{html.Encode(error)}</p>")}}
                <form method="post" action="{{at}}/signin">
                  <input type="hidden" name="return" value="{{html.Encode(returnTo)}}">
                  <label for="credential">API key or token</label>
                  <input id="credential" name="credential" type="password" autocomplete="current-password" required autofocus>
                  <button type="submit">Sign in</button>
                </form>
              </main>
            </body>
            </html>
            """, context.RequestAborted);
    }
}
