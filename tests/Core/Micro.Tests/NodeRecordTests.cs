using Micro.Registry;

namespace Micro.Tests;

/// <summary>What a third-party store reads back goes through NodeRecord.FromJson: anyone who can write the store can write anything.</summary>
public sealed class NodeRecordTests
{
    private static readonly DateTimeOffset Expires = DateTimeOffset.UnixEpoch.AddYears(60);

    [Fact]
    public void A_record_round_trips_through_the_json_registration_stores()
    {
        var service = new Service { Name = "greeter", Version = "1.0", Nodes = [new Node { Id = "g-1", Address = "127.0.0.1:9000" }] };
        var json = System.Text.Json.JsonSerializer.Serialize(service, RegistryJsonContext.Default.Service);
        var record = NodeRecord.FromJson(json, Expires);
        Assert.Equal("greeter", record.Service.Name);
        Assert.Equal("127.0.0.1:9000", record.Node.Address);
        Assert.Equal(NodeRecord.NodeKey("greeter", "g-1"), record.Key);
        Assert.Equal(json, record.Fingerprint);
        Assert.Equal(Expires, record.Expires);
    }

    [Theory]
    [InlineData("not json", "not a service's JSON")]
    [InlineData("null", "no service name")]
    [InlineData("""{"name":"","nodes":[{"id":"a","address":"127.0.0.1:1"}]}""", "no service name")]
    [InlineData("""{"name":"svc","nodes":[]}""", "exactly one node")]
    [InlineData("""{"name":"svc","nodes":[{"id":"a","address":"127.0.0.1:1"},{"id":"b","address":"127.0.0.1:2"}]}""", "exactly one node")]
    [InlineData("""{"name":"svc","nodes":[{"id":"a"}]}""", "not a service's JSON")] // address is required by the model
    [InlineData("""{"name":"svc","nodes":[{"id":" ","address":"127.0.0.1:1"}]}""", "exactly one node with an id and an address")]
    public void What_is_not_one_well_formed_node_is_refused_saying_what_is_wrong(string json, string said)
        => Assert.Contains(said, Assert.Throws<FormatException>(() => NodeRecord.FromJson(json, Expires)).Message, StringComparison.Ordinal);
}
