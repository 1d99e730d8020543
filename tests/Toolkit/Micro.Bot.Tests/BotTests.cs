namespace Micro.Bot.Tests;

/// <summary>The bot's commands, access control and command sources, through the console input and directly.</summary>
public sealed class BotTests
{
    private static BotMessage From(string user, string text) => new("test", user, text);

    [Fact]
    public async Task The_console_answers_each_line_and_ends_with_its_input()
    {
        await using var kit = await BotKit.StartAsync();
        var output = new StringWriter();
        var console = new ConsoleInput(new StringReader("help\necho hello world\nping\nlist services\ncall greeter Greeter.Hello {\"name\": \"John\"}\nnonsense\n"), output, "operator");
        await kit.Bot.RunAsync([console], CancellationToken.None); // returns at end of input
        var text = output.ToString();
        Assert.Contains("list services - the services in the registry", text);
        Assert.Contains("hello world", text);
        Assert.Contains("pong", text);
        Assert.Contains("greeter", text);
        Assert.Contains("\"msg\": \"Hello John\"", text); // the console's operator is trusted like the CLI
        Assert.Contains("I don't know 'nonsense'", text);
    }

    [Fact]
    public async Task Built_in_commands_answer()
    {
        await using var kit = await BotKit.StartAsync();
        Assert.Equal("Hello alice!", await kit.Bot.AnswerAsync(From("alice", "hello"), CancellationToken.None));
        Assert.Matches(@"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC$", await kit.Bot.AnswerAsync(From("alice", "time"), CancellationToken.None));
        Assert.Contains("Endpoint: Greeter.Hello", await kit.Bot.AnswerAsync(From("alice", "get service greeter"), CancellationToken.None));
        Assert.Contains("\tok", await kit.Bot.AnswerAsync(From("alice", "health greeter"), CancellationToken.None));
        Assert.Contains("not how 'get' goes", await kit.Bot.AnswerAsync(From("alice", "get"), CancellationToken.None));
    }

    [Fact]
    public async Task Only_allowed_users_change_the_environment()
    {
        await using var kit = await BotKit.StartAsync(new BotOptions { AllowedUsers = ["alice@localhost"] });
        Assert.Contains("Hello John", await kit.Bot.AnswerAsync(From("alice@localhost", "call greeter Greeter.Hello {\"name\":\"John\"}"), CancellationToken.None));
        var refused = await kit.Bot.AnswerAsync(From("eve@localhost", "call greeter Greeter.Hello {\"name\":\"John\"}"), CancellationToken.None);
        Assert.StartsWith("Sorry eve@localhost, 'call' changes the environment", refused);
        Assert.Contains("Sorry", await kit.Bot.AnswerAsync(From("eve@localhost", "register service {\"name\":\"x\"}"), CancellationToken.None));
        Assert.Contains("greeter", await kit.Bot.AnswerAsync(From("eve@localhost", "list services"), CancellationToken.None)); // reading is for everyone

        await using var nobody = await BotKit.StartAsync(); // no list: nobody in chat may
        Assert.StartsWith("Sorry", await nobody.Bot.AnswerAsync(From("alice@localhost", "call greeter Greeter.Hello {}"), CancellationToken.None));
    }

    [Fact]
    public async Task A_service_command_appears_while_its_service_runs()
    {
        await using var kit = await BotKit.StartAsync();
        Assert.DoesNotContain("roll", await kit.Bot.AnswerAsync(From("alice", "help"), CancellationToken.None));
        await kit.StartRollAsync();
        Assert.Contains("roll [sides] - rolls a die", await kit.AnswerEventuallyAsync(From("alice", "help"), "roll", TimeSpan.FromSeconds(20)));
        Assert.Equal("rolled 4 (roll 20)", await kit.Bot.AnswerAsync(From("alice", "roll 20"), CancellationToken.None)); // args carry the name, as in go-micro
        Assert.Equal("roll: a die needs sides", await kit.Bot.AnswerAsync(From("alice", "roll 0"), CancellationToken.None));

        await kit.StopRollAsync();
        Assert.Contains("I don't know 'roll'", await kit.AnswerEventuallyAsync(From("alice", "roll"), "I don't know", TimeSpan.FromSeconds(20)));
    }

    [Fact]
    public async Task Commands_can_be_added_in_code()
    {
        await using var kit = await BotKit.StartAsync();
        kit.Bot.AddCommand(new BotCommand("weather", "weather <city>", "the weather", (args, message, _) => Task.FromResult($"sunny in {args[0]} for {message.User}")));
        Assert.Equal("sunny in Paris for bob", await kit.Bot.AnswerAsync(From("bob", "weather Paris"), CancellationToken.None));
        Assert.Contains("weather <city> - the weather", await kit.Bot.AnswerAsync(From("bob", "help"), CancellationToken.None));
        Assert.Throws<ArgumentException>(() => kit.Bot.AddCommand(new BotCommand("call", "call", "no", (_, _, _) => Task.FromResult(""))));
    }
}
