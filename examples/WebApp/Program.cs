// A small ASP.NET Core app that registers itself as web app go.micro.web.hello while it runs, so `micro web` serves it
// at /hello. micro web strips the /hello prefix and says so in X-Micro-Web-Base-Path, which the page uses for its links.
using System.Net;

var builder = WebApplication.CreateSlimBuilder(Micro.Hosting.MicroFlags.Normalize(args)); // switches such as --transport_tls_dev work bare
builder.WebHost.UseUrls(builder.Configuration["urls"] ?? "http://127.0.0.1:0"); // any free loopback port: the registry says where
builder.Services.AddMicroWebApp("hello");
var app = builder.Build();

app.MapGet("/", (HttpRequest request) =>
{
    var basePath = WebUtility.HtmlEncode(request.Headers["X-Micro-Web-Base-Path"].ToString());
    return Results.Content($"""
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><title>Hello</title></head>
        <body>
          <h1 id="greeting">Hello from a web app</h1>
          <p>Served through micro web at <code>{basePath}/</code>; the time here is {DateTimeOffset.UtcNow:u}.</p>
          <p><a href="{basePath}/about">About</a></p>
        </body></html>
        """, "text/html; charset=utf-8");
});
app.MapGet("/about", () => Results.Text("go.micro.web.hello: an ASP.NET Core app behind micro web."));

await app.RunAsync();
