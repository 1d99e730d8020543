// A bot command as a service: registered as go.micro.bot.roll, it adds "roll" to micro bot while it runs.
// It answers go-micro's bot contract: Command.Help (usage, description) and Command.Exec (args, with the command's
// name first; the result is bytes, an error a string).
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Serialization;
using Micro.Hosting;

var builder = MicroService.CreateBuilder(args, defaultName: "go.micro.bot.roll");
builder.AddHandler<Command>();
await builder.Build().RunAsync();

public sealed record HelpRequest;

public sealed record HelpResponse([property: JsonPropertyName("usage")] string Usage, [property: JsonPropertyName("description")] string Description);

public sealed record ExecRequest([property: JsonPropertyName("args")] string[] Args);

public sealed record ExecResponse([property: JsonPropertyName("result")] byte[]? Result, [property: JsonPropertyName("error")] string? Error);

/// <summary>roll [sides]: a die roll, 6 sides unless told.</summary>
public sealed class Command
{
    public Task<HelpResponse> Help(HelpRequest request, CancellationToken cancellationToken)
        => Task.FromResult(new HelpResponse("roll [sides]", "rolls a die (6 sides unless told)"));

    public Task<ExecResponse> Exec(ExecRequest request, CancellationToken cancellationToken)
    {
        var sides = 6;
        if (request.Args.Length > 1 && (!int.TryParse(request.Args[1], out sides) || sides < 2 || sides > 1000))
        {
            return Task.FromResult(new ExecResponse(null, $"'{request.Args[1]}' is not a number of sides between 2 and 1000"));
        }

        var roll = RandomNumberGenerator.GetInt32(1, sides + 1);
        return Task.FromResult(new ExecResponse(Encoding.UTF8.GetBytes($"rolled {roll} (d{sides})"), null));
    }
}
