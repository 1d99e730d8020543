using Micro.Commands;

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};

return await MicroCommandLine.RunAsync(args, Console.Out, Console.Error, cancellationToken: cancel.Token);
