using Micro.Cli;
using Micro.Commands;

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};

// The shared commands, plus the long-running toolkit pieces only the executable hosts.
var root = MicroCommandLine.Build(extend: (root, connect) =>
{
    root.Subcommands.Add(ApiCommand.Create(connect));
    root.Subcommands.Add(ProxyCommand.Create(connect));
});
return await root.Parse(args).InvokeAsync(new System.CommandLine.InvocationConfiguration { Output = Console.Out, Error = Console.Error }, cancel.Token);
