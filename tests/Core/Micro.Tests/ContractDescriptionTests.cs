using System.Text.Json;
using System.Text.Json.Serialization;
using Micro.Contracts;
using Micro.Registry;
using Micro.Server;
using Micro.Tests.Proto;

namespace Micro.Tests;

public enum Colour
{
    Red,
    Blue,
}

/// <summary>Every shape the describers treat differently: scalars, nullable, enum, lists, maps, bytes, nesting, recursion, renames.</summary>
public sealed record Rich(
    string Name,
    int? Count,
    Colour Colour,
    IReadOnlyList<Part> Parts,
    Dictionary<string, int> Totals,
    byte[] Blob,
    DateTimeOffset At,
    Guid Id,
    long[] Numbers,
    [property: JsonPropertyName("custom_name")] string Renamed,
    Rich? Parent,
    JsonElement Extra,
    decimal Price,
    IDGood UpperStart);

public sealed record Part(string Sku, List<Part> Children, Dictionary<string, Part> ByName);

public sealed record IDGood(bool Ok);

[MicroContract("rich")]
public interface IRichService
{
    Task<Rich> Echo(Rich request, CancellationToken cancellationToken);
}

public sealed class ContractDescriptionTests
{
    private static string Json(Value? value) => JsonSerializer.Serialize(new Endpoint { Name = "x", Request = value }, RegistryJsonContext.Default.Endpoint);

    [Fact]
    public void Generated_descriptions_match_the_reflection_describer_for_every_field_shape()
    {
        var endpoint = Assert.Single(RichServiceBinding.Endpoints<RichImpl>()).Endpoint;
        var expected = ValueDescriber.Describe(typeof(Rich), nameof(Rich));
        Assert.Equal(Json(expected), Json(endpoint.Request));
        Assert.Equal(Json(expected), Json(endpoint.Response));
        Assert.Contains("\"custom_name\"", Json(endpoint.Request), StringComparison.Ordinal);
        Assert.Contains("map[string]int32", Json(endpoint.Request), StringComparison.Ordinal);
    }

    [Fact]
    public void Proto_descriptions_from_descriptors_match_the_reflection_describer()
    {
        foreach (var endpoint in TallyBinding.Endpoints<TallyService>().Select(e => e.Endpoint))
        {
            Assert.Equal(Json(ValueDescriber.Describe(typeof(TallyRequest), nameof(TallyRequest))), Json(endpoint.Request));
            Assert.Equal(Json(ValueDescriber.Describe(typeof(TallyReply), nameof(TallyReply))), Json(endpoint.Response));
        }
    }

    private sealed class RichImpl : IRichService
    {
        public Task<Rich> Echo(Rich request, CancellationToken cancellationToken) => Task.FromResult(request);
    }
}
