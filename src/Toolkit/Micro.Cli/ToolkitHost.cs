using System.CommandLine;
using Micro.Hosting;
using Microsoft.Extensions.Logging;

namespace Micro.Cli;

/// <summary>What the long-running commands share: connect, start, log to the console, run until Ctrl+C or SIGTERM, stop.</summary>
internal static class ToolkitHost
{
    public static async Task<int> RunAsync(ParseResult parse, Func<ParseResult, MicroEnvironment> connect,
        Func<MicroEnvironment, ILoggerFactory, Task<IAsyncDisposable>> start, CancellationToken cancellationToken)
    {
        var error = parse.InvocationConfiguration.Error;
        using var logging = LoggerFactory.Create(b => b.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss ";
        }).SetMinimumLevel(LogLevel.Information));
        MicroEnvironment environment;
        try
        {
            environment = connect(parse);
        }
        catch (Exception e) when (e is ArgumentException or FormatException)
        {
            await error.WriteLineAsync("error: " + e.Message).ConfigureAwait(false);
            return 2;
        }

        await using (environment.ConfigureAwait(false))
        {
            IAsyncDisposable server;
            try
            {
                server = await start(environment, logging).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or ArgumentException or MicroException)
            {
                await error.WriteLineAsync("error: cannot start: " + e.Message).ConfigureAwait(false);
                return 1;
            }

            await using (server.ConfigureAwait(false))
            {
                try
                {
                    await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    // Ctrl+C or SIGTERM: stop cleanly
                }
            }
        }

        return 0;
    }
}
