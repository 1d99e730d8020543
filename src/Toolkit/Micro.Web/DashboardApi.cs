using System.Text;
using System.Text.Json;
using Micro.Client;
using Micro.Commands;
using Micro.Diagnostics;
using Micro.Broker;
using Micro.Registry;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Micro.Web;

/// <summary>The dashboard's JSON API: what its pages show and do.</summary>
/// <param name="appsOrigin">Where web apps are served when they have their own origin (<c>--apps_address</c>), else null.</param>
internal sealed class DashboardApi(WebOptions options, IRegistry registry, IMicroClient client, IBroker broker, TimeSpan registerTtl, TimeProvider time, ILogger logger, string? appsOrigin = null)
{
    private readonly MicroCommands _commands = new(registry, client, broker, registerTtl);
    private readonly ServiceMetrics _metrics = new(registry, client, time);

    /// <summary>GET /api/metrics/{name}: the service's chart points (request and error rates, latency), sampled now.</summary>
    public async Task MetricsAsync(HttpContext context, string name)
    {
        // Only services that exist: the sampler keeps state per name, and any name could be asked for.
        if ((await registry.GetServiceAsync(name, context.RequestAborted).ConfigureAwait(false)).Count == 0)
        {
            await ErrorAsync(context, MicroException.NotFound("go.micro.web", $"service {name} is not registered in the {registry.Name} registry")).ConfigureAwait(false);
            return;
        }

        var reply = await _metrics.SampleAsync(name, context.RequestAborted).ConfigureAwait(false);
        await WriteAsync(context, reply, DashboardJsonContext.Default.MetricsReply).ConfigureAwait(false);
    }

    public async Task ServicesAsync(HttpContext context)
    {
        var services = await registry.ListServicesAsync(context.RequestAborted).ConfigureAwait(false);
        var prefix = options.Namespace + ".";
        IReadOnlyList<ServiceSummary> summary = services
            .GroupBy(s => s.Name, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new ServiceSummary(g.Key, g.Select(s => s.Version).Distinct().Order(StringComparer.Ordinal).ToArray(),
                g.Sum(s => s.Nodes.Count), g.Key.StartsWith(prefix, StringComparison.Ordinal)))
            .ToArray();
        await WriteAsync(context, summary, DashboardJsonContext.Default.IReadOnlyListServiceSummary).ConfigureAwait(false);
    }

    public async Task ServiceAsync(HttpContext context, string name)
    {
        var versions = await registry.GetServiceAsync(name, context.RequestAborted).ConfigureAwait(false);
        if (versions.Count == 0)
        {
            await ErrorAsync(context, MicroException.NotFound("go.micro.web", $"service {name} is not registered in the {registry.Name} registry")).ConfigureAwait(false);
            return;
        }

        // Metadata and addresses as shown to people: secrets masked (Micro.Diagnostics.Secrets).
        var detail = new ServiceDetail(name, versions.Select(v => new VersionDetail(v.Version, Secrets.Metadata(v.Metadata),
            v.Nodes.Select(n => n with { Address = Secrets.Urls(n.Address), Metadata = Secrets.Metadata(n.Metadata) }).ToArray(),
            v.Endpoints.Select(e => new EndpointDetail(e.Name, e.Request, e.Response, Secrets.Metadata(e.Metadata), JsonSkeleton.For(e.Request))).ToArray())).ToArray());
        await WriteAsync(context, detail, DashboardJsonContext.Default.ServiceDetail).ConfigureAwait(false);
    }

    public async Task AppsAsync(HttpContext context)
    {
        var services = await registry.ListServicesAsync(context.RequestAborted).ConfigureAwait(false);
        var prefix = options.Namespace + ".";
        IReadOnlyList<WebAppSummary> apps = services
            .Where(s => s.Name.StartsWith(prefix, StringComparison.Ordinal) && s.Name.Length > prefix.Length)
            .GroupBy(s => s.Name, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new WebAppSummary(g.Key[prefix.Length..], g.Key, g.Sum(s => s.Nodes.Count), (appsOrigin ?? context.Request.PathBase.Value) + "/" + g.Key[prefix.Length..]))
            .ToArray();
        await WriteAsync(context, apps, DashboardJsonContext.Default.IReadOnlyListWebAppSummary).ConfigureAwait(false);
    }

    /// <summary>The call form: the request as typed (checked to be JSON), the reply as the service sent it, or its error JSON.</summary>
    public async Task CallAsync(HttpContext context)
    {
        var call = await ReadAsync(context, DashboardJsonContext.Default.CallRequest).ConfigureAwait(false);
        if (call?.Service is not { Length: > 0 } service || call.Endpoint is not { Length: > 0 } endpoint)
        {
            await ErrorAsync(context, MicroException.BadRequest("go.micro.web", "a call needs a service and an endpoint")).ConfigureAwait(false);
            return;
        }

        var body = string.IsNullOrWhiteSpace(call.Request) ? "{}" : call.Request;
        try
        {
            using var _ = JsonDocument.Parse(body);
        }
        catch (JsonException e)
        {
            await ErrorAsync(context, MicroException.BadRequest("go.micro.web", "the request is not valid JSON: " + e.Message)).ConfigureAwait(false);
            return;
        }

        try
        {
            var reply = await client.CallAsync(new MicroRequest(service, endpoint, Encoding.UTF8.GetBytes(body)), new CallOptions { Timeout = options.CallTimeout, Metadata = CallerMetadata(context) }, context.RequestAborted).ConfigureAwait(false);
            context.Response.ContentType = reply.ContentType;
            await context.Response.Body.WriteAsync(reply.Body, context.RequestAborted).ConfigureAwait(false);
        }
        catch (MicroException e)
        {
            await ErrorAsync(context, e).ConfigureAwait(false);
        }
    }

    /// <summary>The terminal: one CLI command line, run by the same commands as <c>micro</c> against this environment.</summary>
    public async Task TerminalAsync(HttpContext context)
    {
        var request = await ReadAsync(context, DashboardJsonContext.Default.TerminalRequest).ConfigureAwait(false);
        var line = (request?.Line ?? "").Trim();
        if (line.StartsWith("micro ", StringComparison.Ordinal))
        {
            line = line[6..];
        }

        var args = CommandLineText.Split(line).ToArray();
        var output = new StringWriter();
        int code;
        if (args.Length == 0)
        {
            await output.WriteLineAsync("type a command, e.g. list services, get service greeter, call greeter Greeter.Hello {\"name\":\"John\"}").ConfigureAwait(false);
            code = 0;
        }
        else if (args[0] is "api" or "web" or "proxy" or "bot" or "new")
        {
            await output.WriteLineAsync($"'{args[0]}' runs a server or writes files; it is not available in the dashboard's terminal").ConfigureAwait(false);
            code = 2;
        }
        else
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
            timeout.CancelAfter(options.TerminalTimeout); // stream and subscribe end here
            try
            {
                // Someone over HTTP, not this machine's shell: no @file, no Micro-* metadata, only registered nodes.
                var caller = CommandCaller.Remote(Micro.Edge.Auth.EdgeAuthMiddleware.IdentityOf(context)?.Subject);
                code = await MicroCommandLine.RunAsync(args, output, output, _commands, caller, timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!context.RequestAborted.IsCancellationRequested)
            {
                await output.WriteLineAsync($"(stopped after {options.TerminalTimeout.TotalSeconds:0} s)").ConfigureAwait(false);
                code = 0;
            }
        }

        // The command only (as the bot logs): arguments may carry secrets (request bodies, --auth_token...).
        logger.LogInformation("Terminal: {Command} -> {Code}", string.Join(' ', args.TakeWhile(a => !a.StartsWith('-')).Take(2)), code);
        await WriteAsync(context, new TerminalReply(code, output.ToString()), DashboardJsonContext.Default.TerminalReply).ConfigureAwait(false);
    }

    /// <summary>Who is signed in, passed to the service called from the call form (<c>Micro-User</c>).</summary>
    private static Dictionary<string, string>? CallerMetadata(HttpContext context)
        => Micro.Edge.Auth.EdgeAuthMiddleware.IdentityOf(context) is { } identity
            ? new Dictionary<string, string> { [Micro.Transport.MicroHeaders.User] = identity.Subject }
            : null;

    private static async Task<T?> ReadAsync<T>(HttpContext context, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
    {
        try
        {
            return await JsonSerializer.DeserializeAsync(context.Request.Body, type, context.RequestAborted).ConfigureAwait(false);
        }
        catch (JsonException)
        {
            return default;
        }
    }

    private static async Task WriteAsync<T>(HttpContext context, T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
    {
        context.Response.ContentType = "application/json";
        await JsonSerializer.SerializeAsync(context.Response.Body, value, type, context.RequestAborted).ConfigureAwait(false);
    }

    private static Task ErrorAsync(HttpContext context, MicroException error)
    {
        context.Response.StatusCode = error.Code is >= 400 and <= 599 ? error.Code : 500;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(error.ToJson(), context.RequestAborted);
    }
}
