using System.Text.Json;
using System.Text.Json.Nodes;
using Micro.Client;
using Micro.Edge;
using Micro.Hosting;
using Micro.Transport;
using Microsoft.Extensions.Logging;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Micro.Mcp;

/// <summary>
/// What every MCP transport (stdio, Streamable HTTP) answers tools/list and tools/call with: the registry's tools a
/// caller may use (<see cref="McpOptions.Allow"/>), each call counted against the caller's rate limit, sent with
/// <c>Micro-User</c> and a deadline, and written to the audit log (caller, tool, code, duration; the arguments only
/// with <see cref="McpOptions.AuditArguments"/>; never a credential, which never reaches this far).
/// </summary>
public sealed class McpToolCalls : IAsyncDisposable
{
    /// <summary>The audit log's category: one line per tool call.</summary>
    public const string AuditCategory = "Micro.Mcp.Audit";

    private readonly RegistryTools _tools;
    private readonly IMicroClient _client;
    private readonly McpOptions _options;
    private readonly CallerRateLimiter? _limiter;
    private readonly ILogger _audit;
    private readonly TimeProvider _time;

    public McpToolCalls(RegistryTools tools, IMicroClient client, McpOptions options, ILoggerFactory loggerFactory, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(loggerFactory);
        _tools = tools ?? throw new ArgumentNullException(nameof(tools));
        _client = client ?? throw new ArgumentNullException(nameof(client));
        _options = (options ?? throw new ArgumentNullException(nameof(options))).Validate();
        _limiter = options.RateLimit is { } limit ? new CallerRateLimiter(limit) : null;
        _audit = loggerFactory.CreateLogger(AuditCategory);
        _time = timeProvider ?? TimeProvider.System;
    }

    public RegistryTools Tools => _tools;

    /// <summary>The server options of one session: these handlers, tools and resources that say when they change.</summary>
    public McpServerOptions ServerOptions() => Configure(new McpServerOptions());

    /// <summary>Sets <paramref name="server"/>'s identity, capabilities and handlers to these.</summary>
    public McpServerOptions Configure(McpServerOptions server)
    {
        ArgumentNullException.ThrowIfNull(server);
        server.ServerInfo = new Implementation { Name = _options.ServerName, Version = typeof(McpToolCalls).Assembly.GetName().Version?.ToString(3) ?? "0.0.0" };
        server.Capabilities = new ServerCapabilities
        {
            Tools = new ToolsCapability { ListChanged = true },
            Resources = new ResourcesCapability { ListChanged = true },
        };
        server.Handlers.ListToolsHandler = (request, _) => ValueTask.FromResult(List(McpCaller.Of(request.User)));
        server.Handlers.CallToolHandler = CallAsync;
        server.Handlers.ListResourcesHandler = (request, ct) => ServiceResources.ListAsync(_tools, McpCaller.Of(request.User), _options.Allow, ct);
        server.Handlers.ReadResourceHandler = (request, ct) => ServiceResources.ReadAsync(_tools, McpCaller.Of(request.User), _options.Allow, request.Params?.Uri, ct);
        return server;
    }

    internal ListToolsResult List(McpCaller caller)
        => new() { Tools = [.. _tools.Current.Values.Where(t => _options.Allow.Allows(caller.Subject, t.Service, t.Endpoint)).Select(t => t.ProtocolTool)] };

    private async ValueTask<CallToolResult> CallAsync(RequestContext<CallToolRequestParams> request, CancellationToken cancellationToken)
    {
        var caller = McpCaller.Of(request.User);
        var name = request.Params?.Name ?? "";
        var started = _time.GetTimestamp();
        if (!_tools.Current.TryGetValue(name, out var tool) || !_options.Allow.Allows(caller.Subject, tool.Service, tool.Endpoint))
        {
            // One answer for both, so a caller cannot learn which tools exist beyond its scope.
            Audit(caller, Shown(name), 404, started, request);
            throw new McpProtocolException($"Unknown tool: '{Shown(name)}' is not a tool {caller.Name} may call (tools/list shows those it may)", McpErrorCode.InvalidParams);
        }

        if (_limiter is not null && !_limiter.TryAcquire(caller.Name, out var retryAfter))
        {
            Audit(caller, name, 429, started, request);
            return Error(new MicroException(McpErrors.Id, 429, _limiter.Refusal(caller.Name, retryAfter)));
        }

        try
        {
            var result = await tool.InvokeAsync(_client, request, CallOptionsFor(caller, request.Params), _options.MaxStreamMessages, cancellationToken).ConfigureAwait(false);
            Audit(caller, name, 200, started, request);
            return result;
        }
        catch (MicroException e)
        {
            Audit(caller, name, e.Code, started, request);
            return Error(e);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Audit(caller, name, 499, started, request);
            throw;
        }
    }

    /// <summary>
    /// The call's options: <c>Micro-User</c> for a signed-in caller, and a deadline: <see cref="McpOptions.Timeout"/>,
    /// shortened by the request's <c>_meta.timeout</c> (milliseconds, or a duration such as <c>5s</c>) when it asks for less.
    /// The MCP request's own cancellation (<c>notifications/cancelled</c>, a closed connection) cancels the call too.
    /// </summary>
    private CallOptions CallOptionsFor(McpCaller caller, CallToolRequestParams? request)
    {
        var timeout = _options.Timeout;
        if (RequestedTimeout(request?.Meta) is { } asked && (timeout is null || asked < timeout))
        {
            timeout = asked;
        }

        return new CallOptions
        {
            Timeout = timeout,
            Metadata = caller.Authenticated ? new Dictionary<string, string> { [MicroHeaders.User] = caller.Subject! } : null,
        };
    }

    internal static TimeSpan? RequestedTimeout(JsonObject? meta)
    {
        if (meta?["timeout"] is not JsonValue value)
        {
            return null;
        }

        if (value.TryGetValue(out double milliseconds) && milliseconds > 0 && milliseconds < TimeSpan.MaxValue.TotalMilliseconds)
        {
            return TimeSpan.FromMilliseconds(milliseconds);
        }

        return value.TryGetValue(out string? text) && Durations.TryParse(text, out var parsed) && parsed > TimeSpan.Zero ? parsed : null;
    }

    private static CallToolResult Error(MicroException e) => new() { IsError = true, Content = [new TextContentBlock { Text = e.ToJson() }] };

    private void Audit(McpCaller caller, string tool, int code, long started, RequestContext<CallToolRequestParams> request)
    {
        var milliseconds = _time.GetElapsedTime(started).TotalMilliseconds;
        if (_options.AuditArguments)
        {
            var arguments = request.Params?.Arguments is { } a ? JsonSerializer.Serialize(a, McpJson.Default.IDictionaryStringJsonElement) : "{}";
            _audit.LogInformation("mcp call by {Caller}: {Tool} -> {Code} in {Milliseconds:0.#} ms, arguments {Arguments}", caller.Name, tool, code, milliseconds, arguments);
        }
        else
        {
            _audit.LogInformation("mcp call by {Caller}: {Tool} -> {Code} in {Milliseconds:0.#} ms", caller.Name, tool, code, milliseconds);
        }
    }

    /// <summary>A tool name as it may be echoed: what a caller sent, at most 80 characters, control characters removed.</summary>
    private static string Shown(string name) => new([.. name.Where(c => !char.IsControl(c)).Take(80)]);

    public ValueTask DisposeAsync() => _limiter?.DisposeAsync() ?? ValueTask.CompletedTask;
}
