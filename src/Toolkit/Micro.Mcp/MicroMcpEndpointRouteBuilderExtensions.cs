using Micro.Mcp;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

// In this namespace, as ASP.NET Core's own Map... methods are, so that app.MapMicroMcp() is found without a using.
namespace Microsoft.AspNetCore.Builder;

public static class MicroMcpEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Serves the MCP server added with <c>services.AddMicroMcp()</c> over Streamable HTTP at <paramref name="pattern"/>,
    /// behind its authenticator and the browser rules (see <see cref="McpOptions.Authenticator"/>): only these paths,
    /// the app's own endpoints keep their own auth. Without an authenticator it refuses to map unless
    /// <see cref="McpOptions.Insecure"/>: every tool calls a service.
    /// </summary>
    public static IEndpointConventionBuilder MapMicroMcp(this IEndpointRouteBuilder endpoints, string pattern = "/mcp")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var mapping = endpoints.ServiceProvider.GetService<MicroMcpMapping>()
            ?? throw new InvalidOperationException("MapMicroMcp needs services.AddMicroMcp() (and services.AddMicro()) first.");
        if (mapping.Options.Authenticator is null && !mapping.Options.Insecure)
        {
            throw new InvalidOperationException("MapMicroMcp without an authenticator would let anyone who reaches this app call every service: set McpOptions.Authenticator (micro mcp --auth api_key|jwt), or McpOptions.Insecure for a loopback-only server.");
        }

        var guard = endpoints.ServiceProvider.GetRequiredService<McpHttpGuard>();
        var mcp = endpoints.MapMcp(pattern);
        // Around each of the SDK's endpoints (POST, GET, DELETE): the guard runs before the SDK reads anything.
        mcp.Add(endpoint =>
        {
            var inner = endpoint.RequestDelegate ?? throw new InvalidOperationException($"{endpoint.DisplayName} has no request delegate to guard");
            endpoint.RequestDelegate = context => guard.InvokeAsync(context, inner);
        });
        return mcp;
    }
}
