using System.Text;
using System.Text.Json;
using Micro.Registry;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace Micro.Mcp;

/// <summary>
/// The services as MCP resources: <c>micro://services</c> (the names, as JSON) and <c>micro://services/{name}</c> (what
/// <c>micro get service</c> shows, as the registry's JSON). A caller sees the services it may call a tool of.
/// </summary>
internal static class ServiceResources
{
    public const string ListUri = "micro://services";
    private const string ServicePrefix = ListUri + "/";
    private const int MaxBytes = 256 * 1024; // registry contents: anyone who can register writes them

    public static ValueTask<ListResourcesResult> ListAsync(RegistryTools tools, McpCaller caller, ToolAccess allow, CancellationToken cancellationToken)
    {
        var services = Visible(tools, caller, allow);
        var resources = new List<Resource> { new() { Uri = ListUri, Name = "services", Description = "The services an agent may call, by name", MimeType = "application/json" } };
        resources.AddRange(services.Select(s => new Resource { Uri = ServicePrefix + Uri.EscapeDataString(s), Name = s, Description = $"The {s} service as the registry describes it: versions, endpoints, nodes", MimeType = "application/json" }));
        return ValueTask.FromResult(new ListResourcesResult { Resources = resources });
    }

    public static async ValueTask<ReadResourceResult> ReadAsync(RegistryTools tools, McpCaller caller, ToolAccess allow, string? uri, CancellationToken cancellationToken)
    {
        var services = Visible(tools, caller, allow);
        string text;
        if (uri == ListUri)
        {
            text = JsonSerializer.Serialize(services, McpJson.Default.ListString);
        }
        else if (uri is not null && uri.StartsWith(ServicePrefix, StringComparison.Ordinal) && Uri.UnescapeDataString(uri[ServicePrefix.Length..]) is var name && services.Contains(name))
        {
            var versions = await tools.Registry.GetServiceAsync(name, cancellationToken).ConfigureAwait(false);
            text = JsonSerializer.Serialize(versions, RegistryJsonContext.Default.IReadOnlyListService);
            if (Encoding.UTF8.GetByteCount(text) > MaxBytes)
            {
                throw new McpProtocolException($"The registry's description of {name} is over {MaxBytes / 1024} KB; see it with micro get service {name}", McpErrorCode.InternalError);
            }
        }
        else
        {
            throw new McpProtocolException($"Unknown resource: '{new string([.. (uri ?? "").Where(c => !char.IsControl(c)).Take(120)])}' (resources/list shows those this caller may read)", McpErrorCode.ResourceNotFound);
        }

        return new ReadResourceResult { Contents = [new TextResourceContents { Uri = uri, MimeType = "application/json", Text = text }] };
    }

    private static List<string> Visible(RegistryTools tools, McpCaller caller, ToolAccess allow)
        => [.. tools.Current.Values.Where(t => allow.Allows(caller.Subject, t.Service, t.Endpoint)).Select(t => t.Service).Distinct().Order(StringComparer.Ordinal)];
}
