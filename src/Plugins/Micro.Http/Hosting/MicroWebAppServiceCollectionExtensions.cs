using Micro.Hosting;

// In this namespace so that `services.AddMicroWebApp(...)` is found without a using.
namespace Microsoft.Extensions.DependencyInjection;

public static class MicroWebAppServiceCollectionExtensions
{
    /// <summary>
    /// Registers this ASP.NET Core app as web app <c>go.micro.web.&lt;name&gt;</c> (or the full <paramref name="name"/> when
    /// it has a dot) while it runs, so <c>micro web</c> serves it at <c>/&lt;name&gt;</c>. Adds Micro (registry by configuration).
    /// </summary>
    public static IServiceCollection AddMicroWebApp(this IServiceCollection services, string name, string webNamespace = "go.micro.web")
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var full = name.Contains('.', StringComparison.Ordinal) ? name : webNamespace + "." + name;
        services.AddMicro();
        services.AddHostedService(sp => ActivatorUtilities.CreateInstance<WebAppRegistration>(sp, full));
        return services;
    }
}
