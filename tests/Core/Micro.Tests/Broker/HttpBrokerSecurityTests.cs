using System.Net;
using System.Text;
using Micro.Broker;
using Micro.Registry;

namespace Micro.Tests.Broker;

/// <summary>The http broker refuses injected events when it has a secret, and never loses a message without a word.</summary>
public sealed class HttpBrokerSecurityTests : IAsyncDisposable
{
    private const string Secret = "broker-secret-7c1e9a2b";
    private readonly MemoryRegistry _registry = new(pollInterval: TimeSpan.FromMilliseconds(50));

    public ValueTask DisposeAsync() => _registry.DisposeAsync();

    private static string Topic() => "t-" + Guid.NewGuid().ToString("N");

    [Fact]
    public async Task With_a_secret_signed_envelopes_arrive_and_an_injected_one_is_refused()
    {
        var topic = Topic();
        await using var subscriber = new HttpBroker(_registry, secret: Secret);
        var got = new List<string>();
        var arrived = new SemaphoreSlim(0);
        await using var sub = await subscriber.SubscribeAsync(topic, (e, _) =>
        {
            lock (got)
            {
                got.Add(Encoding.UTF8.GetString(e.Message.Body.Span));
            }

            arrived.Release();
            return ValueTask.CompletedTask;
        });
        var node = (await _registry.GetServiceAsync(HttpBroker.ServiceName)).SelectMany(s => s.Nodes).Single();

        // Anyone who can reach the port and read the registry: a well-formed envelope, unsigned or signed with a guess.
        using var http = new HttpClient();
        var envelope = """{"Header":{":topic":"TOPIC"},"Body":"aW5qZWN0ZWQ="}""".Replace("TOPIC", topic, StringComparison.Ordinal);
        var unsigned = await http.PostAsync($"http://{node.Address}/_sub?id={Uri.EscapeDataString(node.Id)}", new StringContent(envelope, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Unauthorized, unsigned.StatusCode);
        using var forged = new HttpRequestMessage(HttpMethod.Post, $"http://{node.Address}/_sub?id={Uri.EscapeDataString(node.Id)}") { Content = new StringContent(envelope, Encoding.UTF8, "application/json") };
        forged.Content.Headers.TryAddWithoutValidation(HttpBroker.SignatureHeader, "sha256=" + new string('0', 64));
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(forged)).StatusCode);
        Assert.Equal(2, subscriber.DroppedCount);

        await using var publisher = new HttpBroker(_registry, secret: Secret);
        await publisher.PublishAsync(topic, new BrokerMessage(new Dictionary<string, string>(), "signed"u8.ToArray()));
        Assert.True(await arrived.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(["signed"], got);

        await using var stranger = new HttpBroker(_registry); // no secret: its envelopes are refused too
        await stranger.PublishAsync(topic, new BrokerMessage(new Dictionary<string, string>(), "unsigned"u8.ToArray()));
        await stranger.DisconnectAsync(); // delivers (tries) what it queued
        Assert.Equal(["signed"], got);
        Assert.Equal(3, subscriber.DroppedCount);
    }

    [Fact]
    public async Task The_outbox_of_a_subscriber_that_left_is_let_go()
    {
        var topic = Topic();
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var publisher = new HttpBroker(_registry, timeProvider: time);
        await using (var subscriber = new HttpBroker(_registry))
        {
            var arrived = new SemaphoreSlim(0);
            await using var sub = await subscriber.SubscribeAsync(topic, (_, _) =>
            {
                arrived.Release();
                return ValueTask.CompletedTask;
            });
            await publisher.PublishAsync(topic, new BrokerMessage(new Dictionary<string, string>(), "{}"u8.ToArray()));
            Assert.True(await arrived.WaitAsync(TimeSpan.FromSeconds(30)));
            Assert.Equal(1, publisher.OutboxCount);
        }

        var deadline = DateTime.UtcNow.AddSeconds(30);
        do
        {
            Assert.True(DateTime.UtcNow < deadline, "the departed subscriber's outbox was kept");
            time.Advance(TimeSpan.FromSeconds(2)); // past the once-a-second sweep
            await publisher.PublishAsync(topic, new BrokerMessage(new Dictionary<string, string>(), "{}"u8.ToArray()));
            await Task.Delay(20);
        }
        while (publisher.OutboxCount > 0);
    }

    [Fact]
    public void A_short_secret_is_refused_at_start()
        => Assert.Contains("at least 16 bytes", Assert.Throws<ArgumentException>(() => new HttpBroker(_registry, secret: "short")).Message, StringComparison.Ordinal);

    [Fact]
    public async Task A_subscriber_registered_at_an_address_that_is_not_host_port_is_counted_as_a_drop_and_others_still_get_the_message()
    {
        var topic = Topic();
        await _registry.RegisterAsync(new Service
        {
            Name = HttpBroker.ServiceName,
            Version = HttpBroker.Broadcast,
            Nodes = [new Node { Id = "bad", Address = "not-host-port", Metadata = new Dictionary<string, string> { ["topic"] = topic } }],
        }, TimeSpan.FromMinutes(1));
        await using var broker = new HttpBroker(_registry);
        var arrived = new SemaphoreSlim(0);
        await using var sub = await broker.SubscribeAsync(topic, (_, _) =>
        {
            arrived.Release();
            return ValueTask.CompletedTask;
        });
        await broker.PublishAsync(topic, new BrokerMessage(new Dictionary<string, string>(), "{}"u8.ToArray()));
        Assert.True(await arrived.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(1, broker.DroppedCount); // said and counted, not an outbox that dies silently
    }

    [Fact]
    public async Task A_subscriber_at_a_link_local_address_is_never_dialled()
    {
        var topic = Topic();
        await _registry.RegisterAsync(new Service
        {
            Name = HttpBroker.ServiceName,
            Version = HttpBroker.Broadcast,
            Nodes = [new Node { Id = "meta", Address = "169.254.169.254:80", Metadata = new Dictionary<string, string> { ["topic"] = topic } }],
        }, TimeSpan.FromMinutes(1));
        await using var broker = new HttpBroker(_registry);
        await broker.PublishAsync(topic, new BrokerMessage(new Dictionary<string, string>(), "{}"u8.ToArray()));
        await broker.DisconnectAsync(); // the outbox tries it: the dial guard refuses before a socket opens
        Assert.Equal(1, broker.DroppedCount);
    }
}
