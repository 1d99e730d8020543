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

/// <summary>Fields a request must carry, each way .NET says so, one level down, and inside a list (where paths stop).</summary>
public sealed record Shipment
{
    public required string Id { get; init; }

    [JsonRequired]
    [JsonPropertyName("ship_to")]
    public Address? ShipTo { get; init; }

    public string? Note { get; init; }

    public IReadOnlyList<Address> Stops { get; init; } = [];
}

public sealed record Address
{
    [System.ComponentModel.DataAnnotations.Required]
    public string City { get; init; } = "";

    public string? Zip { get; init; }
}

[MicroContract("shipping")]
public interface IShipping
{
    Task<Shipment> Send(Shipment request, CancellationToken cancellationToken);
}

public sealed class PlainShipping
{
    public Task<Shipment> Send(Shipment request, CancellationToken cancellationToken) => Task.FromResult(request);
}

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

    [Fact]
    public void Required_fields_are_endpoint_metadata_from_contracts_and_plain_handlers_alike()
    {
        var generated = Assert.Single(ShippingBinding.Endpoints<ShippingImpl>()).Endpoint.Metadata;
        var reflected = Assert.Single(HandlerEndpoints.From(typeof(PlainShipping))).Endpoint.Metadata;
        Assert.Equal("id,ship_to,ship_to.city", generated![RequiredFields.Key]);
        Assert.Equal(generated[RequiredFields.Key], reflected![RequiredFields.Key]);
        Assert.Equal(["id", "ship_to", "ship_to.city"], RequiredFields.Parse(reflected[RequiredFields.Key]));

        // An endpoint whose request needs nothing carries no key (go-micro's registries see what they always did).
        Assert.False(Assert.Single(RichServiceBinding.Endpoints<RichImpl>()).Endpoint.Metadata!.ContainsKey(RequiredFields.Key));
    }

    private sealed class ShippingImpl : IShipping
    {
        public Task<Shipment> Send(Shipment request, CancellationToken cancellationToken) => Task.FromResult(request);
    }

    private sealed class RichImpl : IRichService
    {
        public Task<Rich> Echo(Rich request, CancellationToken cancellationToken) => Task.FromResult(request);
    }
}
