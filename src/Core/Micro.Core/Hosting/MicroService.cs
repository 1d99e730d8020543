using Micro.Client;
using Micro.Pipelines;
using Micro.Server;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Micro.Hosting;

/// <summary>
/// The shortest way to a service:
/// <code>
/// var builder = MicroService.CreateBuilder(args, "greeter");
/// builder.AddHandler&lt;Greeter&gt;();
/// await builder.Build().RunAsync();
/// </code>
/// Configuration comes from appsettings.json (section <c>Micro</c>), <c>MICRO_*</c> environment variables and flags.
/// </summary>
public static class MicroService
{
    public static MicroServiceBuilder CreateBuilder(string[] args, string? defaultName = null)
    {
        string? flagProblem = null;
        try
        {
            args = MicroFlags.Normalize(args);
        }
        catch (FormatException e)
        {
            flagProblem = e.Message; // said by RunAsync, in one line, like every other configuration error
        }

        var host = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ApplicationName = defaultName });
        // go-micro's names: MICRO_SERVER_NAME and --server_name; flags are added again last so they win over the environment.
        host.Configuration.AddEnvironmentVariables("MICRO_");
        host.Configuration.AddCommandLine(args);
        host.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss ";
        });
        return new MicroServiceBuilder(host, defaultName, flagProblem);
    }
}
