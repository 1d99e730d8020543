using System.Runtime.InteropServices;
using Micro.Cli;
using Micro.Commands;

// Ctrl+C (SIGINT) and SIGTERM (docker stop, kill, Kubernetes) both end long-running commands cleanly.
using var cancel = new CancellationTokenSource();
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);

// The shared commands, plus the long-running toolkit pieces only the executable hosts.
var root = MicroCommandLine.Build(extend: (root, connect) =>
{
    root.Subcommands.Add(ApiCommand.Create(connect));
    root.Subcommands.Add(ProxyCommand.Create(connect));
    root.Subcommands.Add(WebCommand.Create(connect));
    root.Subcommands.Add(BotCommand.Create(connect));
    root.Subcommands.Add(McpCommand.Create(connect));
});
return await MicroCommandLine.InvokeAsync(root, args, Console.Out, Console.Error, cancel.Token);

void Stop(PosixSignalContext context)
{
    context.Cancel = true;
    cancel.Cancel();
}
