using System.Text;
using Micro.Broker;
using Micro.Commands;

namespace Micro.Bot.Tests;

/// <summary>A greeter on loopback and a bot over the same registry; <see cref="StartRollAsync"/> adds a service command.</summary>
public sealed class BotKit : IAsyncDisposable
{
    private readonly MemoryBroker _broker = new();
    private Micro.Server.MicroServer? _roll;

    private BotKit(TestKit kit, Bot bot)
    {
        Kit = kit;
        Bot = bot;
    }

    public TestKit Kit { get; }

    public Bot Bot { get; }

    public static async Task<BotKit> StartAsync(BotOptions? options = null)
    {
        var kit = new TestKit();
        await kit.StartServerAsync("greeter", new Greeter());
        var client = kit.CreateClient();
        var broker = new MemoryBroker();
        var bot = new Bot(options ?? new BotOptions(), kit.Registry, client, new MicroCommands(kit.Registry, client, broker, TimeSpan.FromMinutes(1)));
        await bot.StartAsync();
        return new BotKit(kit, bot);
    }

    /// <summary>Starts service go.micro.bot.roll (Command.Help, Command.Exec), as examples/BotCommand does.</summary>
    public async Task StartRollAsync() => _roll = await Kit.StartServerAsync("go.micro.bot.roll", new Command());

    public async Task StopRollAsync()
    {
        if (_roll is not null)
        {
            await _roll.StopAsync(CancellationToken.None);
        }
    }

    /// <summary>Asks until the answer contains <paramref name="expected"/> (service commands arrive through a registry watch).</summary>
    public async Task<string> AnswerEventuallyAsync(BotMessage message, string expected, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var answer = await Bot.AnswerAsync(message, CancellationToken.None);
            if (answer.Contains(expected, StringComparison.Ordinal) || DateTime.UtcNow > deadline)
            {
                return answer;
            }

            await Task.Delay(100);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Bot.DisposeAsync();
        await Kit.DisposeAsync();
        await _broker.DisposeAsync();
    }

    public sealed class Command
    {
        public Task<HelpResponse> Help(HelpRequest request, CancellationToken cancellationToken) => Task.FromResult(new HelpResponse("roll [sides]", "rolls a die"));

        public Task<ExecResponse> Exec(ExecRequest request, CancellationToken cancellationToken)
            => Task.FromResult(request.Args.Count > 1 && request.Args[1] == "0"
                ? new ExecResponse(null, "a die needs sides")
                : new ExecResponse(Encoding.UTF8.GetBytes($"rolled 4 ({string.Join(' ', request.Args)})"), null));
    }
}
