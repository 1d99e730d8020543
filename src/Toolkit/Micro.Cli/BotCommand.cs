using System.CommandLine;
using Micro.Bot;
using Micro.Bot.Slack;
using Micro.Bot.Xmpp;
using Micro.Commands;
using Micro.Hosting;
using Microsoft.Extensions.Logging;

namespace Micro.Cli;

/// <summary><c>micro bot</c>: the CLI's commands in Slack, XMPP and the console; services add commands.</summary>
internal static class BotCommand
{
    public static Command Create(Func<ParseResult, MicroEnvironment> connect)
    {
        var inputs = new Option<string>("--inputs") { Description = "Comma-separated: slack, xmpp, console (default console).", DefaultValueFactory = _ => "console" };
        var allowed = new Option<string?>("--allowed_users") { Description = "Who may run call, register and deregister from chat: XMPP JIDs or Slack user IDs, comma-separated. Env MICRO_BOT_ALLOWED_USERS." };
        var ns = new Option<string?>("--namespace") { Description = "Services named <namespace>.<cmd> add commands (default go.micro.bot)." };
        var slackApp = new Option<string?>("--slack_app_token") { Description = "Slack app-level token (xapp-...). Env MICRO_SLACK_APP_TOKEN." };
        var slackBot = new Option<string?>("--slack_bot_token") { Description = "Slack bot token (xoxb-...). Env MICRO_SLACK_BOT_TOKEN." };
        var slackApi = new Option<string?>("--slack_api_url") { Description = "Slack Web API base (default https://slack.com/api/)." };
        var xmppAddress = new Option<string?>("--xmpp_address") { Description = "XMPP server host:port (default 127.0.0.1:5222). Env MICRO_XMPP_ADDRESS." };
        var xmppJid = new Option<string?>("--xmpp_jid") { Description = "The bot's XMPP account, bot@example.com. Env MICRO_XMPP_JID." };
        var xmppPassword = new Option<string?>("--xmpp_password") { Description = "Its password. Env MICRO_XMPP_PASSWORD (better than a flag: flags show in ps)." };
        var xmppRooms = new Option<string?>("--xmpp_rooms") { Description = "Rooms to join, comma-separated (room@conference.example.com)." };
        var xmppNick = new Option<string?>("--xmpp_nick") { Description = "The bot's nick in rooms (default micro); it answers messages starting with it." };
        var xmppCa = new Option<string?>("--xmpp_ca") { Description = "A PEM certificate to trust for the server (a self-signed one)." };
        var command = new Command("bot", """
            Run the bot: the CLI's commands (list services, get service, health, call, register/deregister service) and more in
            chat; services registered as go.micro.bot.<cmd> add <cmd> while they run.

            Examples:
              printf 'help\nlist services\n' | micro bot --inputs console
              MICRO_XMPP_PASSWORD=... micro bot --inputs xmpp --xmpp_jid bot@example.com --xmpp_rooms ops@conference.example.com --allowed_users alice@example.com
              MICRO_SLACK_APP_TOKEN=xapp-... MICRO_SLACK_BOT_TOKEN=xoxb-... micro bot --inputs slack --allowed_users U012ABCDEF
            """)
        {
            inputs, allowed, ns, slackApp, slackBot, slackApi, xmppAddress, xmppJid, xmppPassword, xmppRooms, xmppNick, xmppCa,
        };
        command.SetAction(async (parse, ct) =>
        {
            var error = parse.InvocationConfiguration.Error;
            string? Value(Option<string?> option, string env) => parse.GetValue(option) ?? Environment.GetEnvironmentVariable(env);
            var names = (parse.GetValue(inputs) ?? "console").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (names.FirstOrDefault(n => n is not ("slack" or "xmpp" or "console")) is { } unknown)
            {
                await error.WriteLineAsync($"error: --inputs '{unknown}' is not one of slack, xmpp, console").ConfigureAwait(false);
                return ExitCodes.Usage;
            }

            var options = new BotOptions
            {
                Namespace = parse.GetValue(ns) ?? "go.micro.bot",
                AllowedUsers = ApiCommand.List(Value(allowed, "MICRO_BOT_ALLOWED_USERS")) ?? [],
            };
            // Logs on standard error: standard output carries the console input's answers.
            using var logging = LoggerFactory.Create(b =>
            {
                b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Information);
                Microsoft.Extensions.DependencyInjection.OptionsServiceCollectionExtensions.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(b.Services, o => o.LogToStandardErrorThreshold = LogLevel.Trace);
            });
            var botInputs = new List<IBotInput>();
            try
            {
                foreach (var name in names)
                {
                    botInputs.Add(name switch
                    {
                        "console" => new ConsoleInput(Console.In, parse.InvocationConfiguration.Output),
                        "xmpp" => new XmppInput(new XmppOptions
                        {
                            Address = Value(xmppAddress, "MICRO_XMPP_ADDRESS") ?? "127.0.0.1:5222",
                            Jid = Value(xmppJid, "MICRO_XMPP_JID") ?? throw new ArgumentException("--inputs xmpp needs --xmpp_jid (or MICRO_XMPP_JID)"),
                            Password = Value(xmppPassword, "MICRO_XMPP_PASSWORD") ?? throw new ArgumentException("--inputs xmpp needs --xmpp_password (or MICRO_XMPP_PASSWORD)"),
                            Rooms = ApiCommand.List(parse.GetValue(xmppRooms)) ?? [],
                            Nick = parse.GetValue(xmppNick) ?? "micro",
                            TrustedCertificate = parse.GetValue(xmppCa),
                        }, logging),
                        _ => new SlackInput(new SlackOptions
                        {
                            AppToken = Value(slackApp, "MICRO_SLACK_APP_TOKEN") ?? "",
                            BotToken = Value(slackBot, "MICRO_SLACK_BOT_TOKEN") ?? "",
                            ApiUrl = new Uri(parse.GetValue(slackApi) ?? "https://slack.com/api/"),
                        }, logging.CreateLogger<SlackInput>()),
                    });
                }
            }
            catch (Exception e) when (e is ArgumentException or UriFormatException)
            {
                await error.WriteLineAsync("error: " + e.Message).ConfigureAwait(false);
                return ExitCodes.Usage;
            }

            MicroEnvironment environment;
            try
            {
                environment = connect(parse);
            }
            catch (Exception e) when (e is ArgumentException or FormatException)
            {
                await error.WriteLineAsync("error: " + e.Message).ConfigureAwait(false);
                return ExitCodes.Usage;
            }

            await using (environment.ConfigureAwait(false))
            {
                await using var bot = new Bot.Bot(options, environment.Registry, environment.Client, new MicroCommands(environment), TimeProvider.System, logging.CreateLogger<Bot.Bot>());
                await bot.StartAsync(ct).ConfigureAwait(false);
                try
                {
                    await bot.RunAsync(botInputs, ct).ConfigureAwait(false);
                }
                catch (InvalidOperationException e)
                {
                    await error.WriteLineAsync("error: " + e.Message).ConfigureAwait(false); // sign-in refused, Slack token rejected...
                    return ExitCodes.Failed;
                }
                catch (OperationCanceledException)
                {
                }
                finally
                {
                    foreach (var input in botInputs)
                    {
                        await input.DisposeAsync().ConfigureAwait(false);
                    }
                }
            }

            return ExitCodes.Ok;
        });
        return command;
    }
}
