// An ASP.NET Core app of one's own that also hosts Micro's gateway under /api and its dashboard under /ops, beside its
// own endpoints: what `micro api` and `micro web` serve alone, here building blocks among others
// (AddMicroGateway + MapMicroGateway, AddMicroDashboard + MapMicroDashboard).
using Micro.Edge.Auth;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

var builder = WebApplication.CreateSlimBuilder(Micro.Hosting.MicroFlags.Normalize(args)); // --registry, MICRO_* as anywhere
builder.WebHost.UseUrls(builder.Configuration["urls"] ?? "http://127.0.0.1:0");
// Whoever reaches the dashboard can call every service and run its terminal: it asks for this key (--dashboard_key or
// DASHBOARD_KEY), kept in an HttpOnly cookie once signed in.
var dashboardKey = builder.Configuration["dashboard_key"] ?? builder.Configuration["DASHBOARD_KEY"];
if (string.IsNullOrWhiteSpace(dashboardKey))
{
    Console.Error.WriteLine("edge-in-app: set DASHBOARD_KEY (or --dashboard_key) to the API key operators sign in to /ops with");
    return 2;
}

builder.Services.AddMicro();         // the registry, selector and client the gateway and the dashboard call services through
builder.Services.AddMicroGateway(new Micro.Api.ApiOptions { Namespace = "" }); // services by their own names: /api/greeter/hello calls greeter
builder.Services.AddMicroDashboard(new Micro.Web.WebOptions { Authenticator = new ApiKeyAuthenticator(["operator=" + dashboardKey]) });
var app = builder.Build();

app.UseWebSockets();                 // streams through the gateway, web apps through the dashboard
app.MapGet("/", () => "edge-in-app: its own endpoints, Micro's gateway under /api and its dashboard under /ops");
app.MapMicroGateway("/api");         // /api/<service>/<method>, ... as micro api serves them at /
app.MapMicroDashboard("/ops");       // /ops/, /ops/service/<name>, /ops/terminal, ... as micro web serves them at /

app.Lifetime.ApplicationStarted.Register(() =>
    Console.WriteLine($"edge-in-app listening on {app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()}"));
await app.RunAsync();
return 0;
