using System.Text.Encodings.Web;

namespace Micro.Web;

/// <summary>The HTML every page shares; each page's content is drawn by <c>app.js</c> from the JSON API and kept live.</summary>
internal static class PageShell
{
    /// <param name="page">Which page app.js draws.</param>
    /// <param name="title">The window title.</param>
    /// <param name="service">The service a service page shows.</param>
    /// <param name="message">A not-found message instead of the page.</param>
    /// <param name="user">Who is signed in (a sign-out button is shown), or null when the dashboard has no sign-in.</param>
    /// <param name="csrf">The token the page's state-changing requests send back (<see cref="DashboardCsrf"/>).</param>
    /// <param name="basePath">Where the dashboard is mapped (<c>/ops</c>; empty at the root): every link and request app.js makes starts with it.</param>
    public static string Render(string page, string title, string? service, string? message = null, string? user = null, string? csrf = null, string basePath = "")
    {
        var html = HtmlEncoder.Default;
        var at = html.Encode(basePath);
        string Nav(string href, string label, string name) => $"<a href=\"{at}{href}\"{(page == name ? " class=\"active\"" : "")}>{label}</a>";
        return $$"""
            <!doctype html>
            <html lang="en">
            <head>
              <meta charset="utf-8">
              <meta name="viewport" content="width=device-width, initial-scale=1">
              <title>{{html.Encode(title)}} · micro</title>
              <meta name="micro-csrf" content="{{html.Encode(csrf ?? "")}}">
              <link rel="stylesheet" href="{{at}}/static/app.css">
            </head>
            <body data-page="{{page}}" data-service="{{html.Encode(service ?? "")}}" data-base="{{at}}">
              <header>
                <a class="brand" href="{{at}}/"><span class="logo">μ</span> micro</a>
                <nav>{{Nav("/", "Services", "services")}}{{Nav("/apps", "Web apps", "apps")}}{{Nav("/terminal", "Terminal", "terminal")}}</nav>
                <span id="live" class="live" title="updates as services come and go">connecting</span>{{(user is null ? "" : $"<form class=\"signout\" method=\"post\" action=\"{at}/signout\"><input type=\"hidden\" name=\"{DashboardCsrf.FieldName}\" value=\"{html.Encode(csrf ?? "")}\"><span class=\"user\">{html.Encode(user)}</span><button type=\"submit\">Sign out</button></form>")}}
              </header>
              <main id="main">{{(message is null ? "<p class=\"muted\">Loading…</p>" : $"<h1>Not found</h1><p>{html.Encode(message)}</p><p><a href=\"{at}/\">All services</a></p>")}}</main>
              <script src="{{at}}/static/app.js"></script>
            </body>
            </html>
            """;
    }
}
