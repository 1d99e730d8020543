using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Micro.TestFixtures;

/// <summary>
/// An ASP.NET Core app of one's own on a free loopback port, with Micro (a greeter on memory components) and an
/// endpoint of its own at <c>/</c> ("mine"), for tests of edge pieces mapped inside it.
/// </summary>
public static class InAppHost
{
    public static WebApplication Create(Action<IServiceCollection> services, Action<WebApplication> map)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(map);
        var builder = WebApplication.CreateSlimBuilder(["--registry", "memory", "--transport", "memory", "--broker", "memory", "--server_name", "greeter"]);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddMicro(micro => micro.AddHandler<Greeter>());
        services(builder.Services);
        var app = builder.Build();
        app.UseWebSockets();
        app.MapGet("/", () => "mine");
        map(app);
        return app;
    }

    /// <summary>Where the started app listens.</summary>
    public static Uri AddressOf(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        return new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
    }

    /// <summary>A client of the started app that shows redirects and cookies as they come instead of following them.</summary>
    public static HttpClient ClientOf(WebApplication app) => new(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = AddressOf(app) };
}
