// An ASP.NET Core app of one's own that also hosts Micro's gateway, under /api, beside its own endpoints: what
// `micro api` serves alone, here one building block among others (AddMicroGateway + MapMicroGateway).
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

var builder = WebApplication.CreateSlimBuilder(Micro.Hosting.MicroFlags.Normalize(args)); // --registry, MICRO_* as anywhere
builder.WebHost.UseUrls(builder.Configuration["urls"] ?? "http://127.0.0.1:0");
builder.Services.AddMicro();         // the registry, selector and client the gateway calls services through
builder.Services.AddMicroGateway(new Micro.Api.ApiOptions { Namespace = "" }); // services by their own names: /api/greeter/hello calls greeter
var app = builder.Build();

app.MapGet("/", () => "edge-in-app: its own endpoints, and Micro's gateway under /api");
app.MapMicroGateway("/api");         // /api/<service>/<method>, ... as micro api serves them at /

app.Lifetime.ApplicationStarted.Register(() =>
    Console.WriteLine($"edge-in-app listening on {app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()}"));
await app.RunAsync();
