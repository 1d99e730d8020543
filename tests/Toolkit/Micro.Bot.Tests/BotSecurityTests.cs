namespace Micro.Bot.Tests;

/// <summary>What a chat user cannot do through the bot: read the host's files, forge who calls, reach unregistered addresses.</summary>
public sealed class BotSecurityTests : IDisposable
{
    private const string Secret = "s3cret-line-9b1f";
    private readonly string _secretFile = Path.Combine(Path.GetTempPath(), "micro-bot-secret-" + Guid.NewGuid().ToString("N"));

    public BotSecurityTests() => File.WriteAllText(_secretFile, Secret + "\n");

    public void Dispose() => File.Delete(_secretFile);

    private static BotMessage From(string user, string text) => new("test", user, text);

    [Theory]
    [InlineData("get service @{0}")]
    [InlineData("health @{0}")]
    [InlineData("stats @{0}")]
    [InlineData("list @{0}")]
    public async Task A_chat_user_cannot_read_a_file_with_an_at_argument(string line)
    {
        await using var kit = await BotKit.StartAsync();
        var answer = await kit.Bot.AnswerAsync(From("eve@localhost", string.Format(System.Globalization.CultureInfo.InvariantCulture, line, _secretFile)), CancellationToken.None);
        Assert.DoesNotContain(Secret, answer, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_at_argument_is_taken_literally()
    {
        await using var kit = await BotKit.StartAsync();
        var answer = await kit.Bot.AnswerAsync(From("eve@localhost", "get service @" + _secretFile), CancellationToken.None);
        Assert.Contains($"service @{_secretFile} not found", answer, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_consoles_operator_is_the_local_shell_and_keeps_response_files()
    {
        await using var kit = await BotKit.StartAsync();
        var answer = await kit.Bot.AnswerAsync(new BotMessage("console", "operator", "get service @" + _secretFile, Trusted: true), CancellationToken.None);
        Assert.Contains($"service {Secret} not found", answer, StringComparison.Ordinal); // System.CommandLine's response file, as in a shell
    }

    [Fact]
    public async Task A_chat_user_cannot_set_micro_metadata_and_calls_carry_who_they_are()
    {
        await using var kit = await BotKit.StartAsync(new BotOptions { AllowedUsers = ["alice@localhost"] });
        await kit.Kit.StartServerAsync("who", new WhoCalls());
        var forged = await kit.Bot.AnswerAsync(From("alice@localhost", "call who WhoCalls.Who {} --metadata Micro-User=admin"), CancellationToken.None);
        Assert.Contains("Micro-* metadata is set by Micro itself", forged, StringComparison.Ordinal);
        Assert.DoesNotContain("user=admin", forged, StringComparison.Ordinal);
        var honest = await kit.Bot.AnswerAsync(From("alice@localhost", "call who WhoCalls.Who {}"), CancellationToken.None);
        Assert.Contains("user=alice@localhost", honest, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_chat_user_reaches_only_registered_nodes()
    {
        await using var kit = await BotKit.StartAsync(new BotOptions { AllowedUsers = ["alice@localhost"] });
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0); // an address no node has
        listener.Start();
        var elsewhere = listener.LocalEndpoint.ToString();
        var refused = await kit.Bot.AnswerAsync(From("alice@localhost", $"call greeter Greeter.Hello {{}} --address {elsewhere}"), CancellationToken.None);
        Assert.Contains($"--address {elsewhere} is not a registered node of greeter", refused, StringComparison.Ordinal);
        Assert.False(listener.Pending()); // nothing connected to it

        var node = (await kit.Kit.Registry.GetServiceAsync("greeter")).Single().Nodes.Single().Address;
        Assert.Contains("Hello John", await kit.Bot.AnswerAsync(From("alice@localhost", $"call greeter Greeter.Hello {{\"name\":\"John\"}} --address {node}"), CancellationToken.None), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("169.254.169.254:80/latest?x=", "holds '/'")]
    [InlineData("http://127.0.0.1:9", "holds '/'")]
    [InlineData("user@127.0.0.1:9", "holds '@'")]
    [InlineData("127.0.0.1", "has no port")]
    [InlineData("2852039166:80", "four decimal numbers")]
    [InlineData("::1:80", "in brackets")]
    public async Task Registering_a_node_that_is_not_host_port_is_refused_with_why(string address, string why)
    {
        await using var kit = await BotKit.StartAsync(new BotOptions { AllowedUsers = ["alice@localhost"] });
        var json = $$"""{"name":"bad","nodes":[{"id":"b-1","address":"{{address}}"}]}""";
        var answer = await kit.Bot.AnswerAsync(From("alice@localhost", $"register service '{json}'"), CancellationToken.None);
        Assert.Contains("node b-1: address", answer, StringComparison.Ordinal);
        Assert.Contains(why, answer, StringComparison.Ordinal);
        Assert.Empty(await kit.Kit.Registry.GetServiceAsync("bad"));
    }
}
