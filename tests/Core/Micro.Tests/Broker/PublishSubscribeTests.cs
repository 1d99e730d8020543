using System.Collections.Concurrent;
using Micro.Client;
using Micro.Hosting;
using Micro.Registry;
using Micro.Server;
using Microsoft.Extensions.DependencyInjection;

namespace Micro.Tests.Broker;

public sealed record OrderCreated(string Id, decimal Total);

public sealed class Billing
{
    public ConcurrentQueue<(OrderCreated Order, IReadOnlyDictionary<string, string> Headers)> Seen { get; } = new();

    [Subscribe("orders.created", Queue = "billing")]
    public Task On(OrderCreated order, CancellationToken cancellationToken)
    {
        Seen.Enqueue((order, CallContext.Current!.Metadata));
        return Task.CompletedTask;
    }
}

public sealed class PublishSubscribeTests
{
    [Fact]
    public async Task A_published_event_reaches_a_subscriber_class_with_go_micro_headers()
    {
        var builder = MicroService.CreateBuilder(["--registry", "memory", "--broker", "memory", "--server_name", "billing"]);
        builder.AddSubscriber<Billing>();
        var middlewareSaw = new ConcurrentBag<string>();
        builder.Micro.UseSubscriberMiddleware(next => (e, ct) =>
        {
            middlewareSaw.Add(e.Topic);
            return next(e, ct);
        });
        await using var app = builder.Build();
        await app.StartAsync();

        // Listed in the registry as a subscriber endpoint.
        var service = Assert.Single(await app.Services.GetRequiredService<IRegistry>().GetServiceAsync("billing"));
        var endpoint = Assert.Single(service.Endpoints, e => e.Name == "Billing.On");
        Assert.Equal(("orders.created", "true"), (endpoint.Metadata!["topic"], endpoint.Metadata["subscriber"]));
        Assert.Equal("memory", service.Nodes[0].Metadata!["broker"]);

        await app.Client.PublishAsync("orders.created", new OrderCreated("o-1", 12.5m), new PublishOptions { Metadata = new Dictionary<string, string> { ["X-Tenant"] = "acme" } });
        var billing = app.Services.GetRequiredService<Billing>();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (billing.Seen.IsEmpty)
        {
            Assert.True(DateTime.UtcNow < deadline, "the event never arrived");
            await Task.Delay(20);
        }

        var (order, headers) = Assert.Single(billing.Seen);
        Assert.Equal(new OrderCreated("o-1", 12.5m), order);
        Assert.Equal("orders.created", headers["Micro-Topic"]);
        Assert.Equal("application/json", headers["Content-Type"]);
        Assert.True(Guid.TryParse(headers["Micro-Id"], out _));
        Assert.Equal("acme", headers["X-Tenant"]);
        Assert.Equal(["orders.created"], middlewareSaw);
        await app.StopAsync();
    }

    [Fact]
    public void A_subscriber_of_the_wrong_shape_is_a_clear_error()
    {
        var e = Assert.Throws<InvalidOperationException>(() => SubscriberEndpoints.From(typeof(Wrong)));
        Assert.Contains("Wrong.On cannot subscribe to 't'", e.Message);
    }

    public sealed class Wrong
    {
        [Subscribe("t")]
        public int On(OrderCreated order) => 0;
    }
}
