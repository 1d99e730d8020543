using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Micro.Commands;
using Micro.Registry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Micro.Bot;

/// <summary>
/// The bot: reads what people write through its inputs and answers with built-in commands (help, echo, hello, ping,
/// time, and the CLI's list services, get service, health, call, register service, deregister service, run by the
/// same shared commands), commands added in code, and commands added by services registered as
/// <c>go.micro.bot.&lt;cmd&gt;</c> (their <c>Command.Help</c> and <c>Command.Exec</c>), found by watching the registry.
/// </summary>
public sealed class Bot : IAsyncDisposable
{
    private static readonly string[] CliCommands = ["list", "get", "health", "call", "register", "deregister", "stats"];
    private readonly BotOptions _options;
    private readonly IRegistry _registry;
    private readonly MicroCommands _commands;
    private readonly ServiceCommands _serviceCommands;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, BotCommand> _added = new(StringComparer.OrdinalIgnoreCase);

    public Bot(BotOptions options, IRegistry registry, Client.IMicroClient client, MicroCommands commands, TimeProvider? time = null, ILogger<Bot>? logger = null)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _registry = registry ?? throw new ArgumentNullException(nameof(registry));
        _commands = commands ?? throw new ArgumentNullException(nameof(commands));
        _time = time ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _serviceCommands = new ServiceCommands(options.Namespace, registry, client, _logger);
    }

    /// <summary>Adds a command in code (a built-in name cannot be replaced).</summary>
    public void AddCommand(BotCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (IsBuiltIn(command.Name))
        {
            throw new ArgumentException($"'{command.Name}' is a built-in command");
        }

        _added[command.Name] = command;
    }

    /// <summary>Starts watching the registry for service commands.</summary>
    public Task StartAsync(CancellationToken cancellationToken = default) => _serviceCommands.StartAsync(cancellationToken);

    /// <summary>Runs the inputs until cancelled (or, for the console, until its input ends).</summary>
    public async Task RunAsync(IReadOnlyList<IBotInput> inputs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        await Task.WhenAll(inputs.Select(input => input.RunAsync(AnswerAsync, cancellationToken))).ConfigureAwait(false);
    }

    /// <summary>The answer to one message (never throws: failures become the answer).</summary>
    public async Task<string> AnswerAsync(BotMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var args = CommandLineText.Split(message.Text.Trim());
        if (args.Count == 0)
        {
            return "";
        }

        var name = args[0].ToLowerInvariant();
        _logger.LogInformation("Bot: {User} via {Input}: {Command}", message.User, message.Input, name); // the command only: arguments may carry secrets
        if (BotOptions.Restricted.Contains(name) && !message.Trusted && !_options.AllowedUsers.Contains(message.User, StringComparer.OrdinalIgnoreCase))
        {
            return $"Sorry {message.User}, '{name}' changes the environment and you are not on the list of users allowed to run it.";
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.CommandTimeout);
        try
        {
            return name switch
            {
                "help" => await HelpAsync(timeout.Token).ConfigureAwait(false),
                "echo" => string.Join(' ', args.Skip(1)),
                "hello" or "hi" => $"Hello {message.User}!",
                "ping" => "pong",
                "time" => _time.GetUtcNow().ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture),
                _ when CliCommands.Contains(name) => await RunCliAsync(args, message, timeout.Token).ConfigureAwait(false),
                _ when _added.TryGetValue(name, out var command) => await command.Exec(args.Skip(1).ToArray(), message, timeout.Token).ConfigureAwait(false),
                _ when await _serviceCommands.HasAsync(name, timeout.Token).ConfigureAwait(false) => await _serviceCommands.ExecAsync(name, args.Skip(1).ToArray(), timeout.Token).ConfigureAwait(false),
                _ => $"I don't know '{name}'. Say help for what I can do.",
            };
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return $"'{name}' took longer than {_options.CommandTimeout.TotalSeconds:0} s; I stopped waiting.";
        }
        catch (MicroException e)
        {
            return $"'{name}' failed: {e.Detail}";
        }
    }

    /// <summary>The CLI's own commands, run by the shared command library against the bot's environment.</summary>
    /// <remarks>A chat user is a remote caller (no @file expansion, no Micro-* metadata, calls carry them as Micro-User);
    /// the console's user is the local operator.</remarks>
    private async Task<string> RunCliAsync(IReadOnlyList<string> args, BotMessage message, CancellationToken cancellationToken)
    {
        var output = new StringWriter(CultureInfo.InvariantCulture);
        var caller = message.Trusted ? CommandCaller.LocalShell : CommandCaller.Remote(message.User);
        var code = await MicroCommandLine.RunAsync([.. args], output, output, _commands, caller, cancellationToken).ConfigureAwait(false);
        var text = output.ToString().TrimEnd();
        if (code == ExitCodes.Usage && text.Contains("Usage:", StringComparison.Ordinal))
        {
            return $"That is not how '{args[0]}' goes. Say help for the commands and their arguments.";
        }

        return text.Length > 0 ? text : code == 0 ? "done" : "failed";
    }

    private async Task<string> HelpAsync(CancellationToken cancellationToken)
    {
        var sb = new StringBuilder();
        sb.AppendLine("Commands:");
        sb.AppendLine("  help - this list");
        sb.AppendLine("  echo <text> - says it back");
        sb.AppendLine("  hello - a greeting");
        sb.AppendLine("  ping - pong");
        sb.AppendLine("  time - the time (UTC)");
        sb.AppendLine("  list services - the services in the registry");
        sb.AppendLine("  get service <name> - a service's nodes and endpoints");
        sb.AppendLine("  health <service> - Debug.Health of every node");
        sb.AppendLine("  stats <service> - Debug.Stats of every node");
        sb.AppendLine("  call <service> <endpoint> <json> - call an endpoint (allowed users)");
        sb.AppendLine("  register service <json> - register a service (allowed users)");
        sb.AppendLine("  deregister service <json> - deregister a service (allowed users)");
        foreach (var command in _added.Values.OrderBy(c => c.Name, StringComparer.Ordinal))
        {
            sb.AppendLine($"  {command.Usage} - {command.Description}");
        }

        foreach (var (usage, description) in await _serviceCommands.HelpAsync(cancellationToken).ConfigureAwait(false))
        {
            sb.AppendLine($"  {usage} - {description}");
        }

        return sb.ToString().TrimEnd();
    }

    private static bool IsBuiltIn(string name) => name.ToLowerInvariant() is "help" or "echo" or "hello" or "hi" or "ping" or "time" || CliCommands.Contains(name.ToLowerInvariant());

    public ValueTask DisposeAsync() => _serviceCommands.DisposeAsync();
}
