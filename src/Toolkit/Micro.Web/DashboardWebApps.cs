using Micro.Edge;
using Microsoft.AspNetCore.Http;

namespace Micro.Web;

/// <summary>
/// <c>/{name}/...</c> on the dashboard: a node of web app <c>{namespace}.{name}</c>, the prefix stripped and sent (after the
/// dashboard's own path base) as <c>X-Micro-Web-Base-Path</c>; only registered web apps are reachable, never an arbitrary host.
/// </summary>
internal static class DashboardWebApps
{
    public static async Task ForwardAsync(HttpContext context, WebOptions options, NodeForwarder forwarder)
    {
        var name = DashboardPages.FirstSegment(context);
        if (name is null || DashboardPages.Reserved.Contains(name))
        {
            await DashboardPages.NotFoundAsync(context, "There is no such page.").ConfigureAwait(false);
            return;
        }

        try
        {
            await forwarder.ForwardAsync(context, options.Namespace + "." + name, "/" + name, null).ConfigureAwait(false);
        }
        catch (MicroException e) when (e.Code == 404)
        {
            await DashboardPages.NotFoundAsync(context, $"No web app named '{name}' is registered (as {options.Namespace}.{name}).").ConfigureAwait(false);
        }
        catch (MicroException e)
        {
            // Plain text, never sniffed: the detail quotes the request's path, which a page can choose to carry markup.
            context.Response.StatusCode = e.Code is >= 400 and <= 599 ? e.Code : 502;
            context.Response.ContentType = "text/plain; charset=utf-8";
            context.Response.Headers.XContentTypeOptions = "nosniff";
            await context.Response.WriteAsync(e.Detail, context.RequestAborted).ConfigureAwait(false);
        }
    }

    /// <summary>With a separate origin for web apps (<c>--apps_address</c>), <c>/{name}/...</c> on the dashboard sends the browser there.</summary>
    public static Task RedirectAsync(HttpContext context, string appsOrigin)
    {
        var name = DashboardPages.FirstSegment(context);
        if (name is null || DashboardPages.Reserved.Contains(name))
        {
            return DashboardPages.NotFoundAsync(context, "There is no such page.");
        }

        context.Response.StatusCode = StatusCodes.Status307TemporaryRedirect;
        context.Response.Headers.Location = appsOrigin + context.Request.Path + context.Request.QueryString;
        return Task.CompletedTask;
    }
}
