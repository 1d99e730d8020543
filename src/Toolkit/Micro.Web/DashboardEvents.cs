using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Micro.Web;

/// <summary>GET /events: server-sent events, one <c>registry</c> event per change, and a comment every 15 s to keep proxies from closing it.</summary>
internal static class DashboardEvents
{
    public static async Task ServeAsync(HttpContext context, RegistryFeed feed)
    {
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        var channel = feed.Listen();
        var stopping = context.RequestServices.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping); // shutting down ends open feeds
        try
        {
            await context.Response.WriteAsync(": connected\n\n", ended.Token).ConfigureAwait(false);
            await context.Response.Body.FlushAsync(ended.Token).ConfigureAwait(false);
            while (!ended.IsCancellationRequested)
            {
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(ended.Token);
                wait.CancelAfter(TimeSpan.FromSeconds(15));
                string text;
                try
                {
                    text = await channel.Reader.ReadAsync(wait.Token).ConfigureAwait(false) is { } change ? $"event: registry\ndata: {change}\n\n" : "";
                }
                catch (OperationCanceledException) when (!ended.IsCancellationRequested)
                {
                    text = ": keep-alive\n\n";
                }

                await context.Response.WriteAsync(text, ended.Token).ConfigureAwait(false);
                await context.Response.Body.FlushAsync(ended.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // the page was closed
        }
        finally
        {
            feed.Forget(channel);
        }
    }
}
