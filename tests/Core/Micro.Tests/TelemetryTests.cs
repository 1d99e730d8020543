using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Micro.Broker;
using Micro.Client;
using Micro.Diagnostics;
using Micro.Selector;
using Micro.Server;
using Microsoft.Extensions.DependencyInjection;

namespace Micro.Tests;

public sealed record AuditEvent(string What);

/// <summary>Calls Greeter and publishes an audit event: one request that crosses two services and the broker.</summary>
public sealed class Front(IMicroClient client)
{
    public async Task<HelloResponse> Relay(HelloRequest request, CancellationToken cancellationToken)
    {
        var reply = await client.CallAsync<HelloRequest, HelloResponse>(TelemetryTests.Greeter, "Greeter.Hello", request, cancellationToken: cancellationToken);
        await client.PublishAsync(TelemetryTests.Topic, new AuditEvent(reply.Msg), cancellationToken: cancellationToken);
        return reply;
    }
}

public sealed class Audit
{
    public TaskCompletionSource<AuditEvent> Seen { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    [Subscribe(TelemetryTests.Topic)]
    public Task On(AuditEvent e, CancellationToken cancellationToken)
    {
        Seen.TrySetResult(e);
        return Task.CompletedTask;
    }
}

public sealed class TelemetryTests
{
    public const string Greeter = "telemetry-greeter";
    public const string Topic = "telemetry.audit";
    private static readonly ActivitySource TestSource = new("Micro.Tests.Telemetry");

    [Fact]
    public async Task One_trace_runs_through_two_services_and_an_event_with_parent_links()
    {
        var stopped = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name is MicroTelemetry.Name or "Micro.Tests.Telemetry",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);

        await using var kit = new TestKit();
        var broker = new MemoryBroker();
        await using var _ = broker;
        await using var selector = new RegistrySelector(kit.Registry);
        var client = new MicroClient(selector, kit.Transport, broker: broker);
        await kit.StartServerAsync(Greeter, new Greeter());
        await kit.StartServerAsync("telemetry-front", new Front(client));
        var audit = new Audit();
        var services = new ServiceCollection().AddSingleton(audit).BuildServiceProvider();
        await using var auditor = new MicroServer(ServerOptions.Default with { Name = "telemetry-audit" }, kit.Registry, kit.Transport, [], services,
            broker: broker, subscribers: SubscriberEndpoints.From(typeof(Audit)));
        await auditor.StartAsync();

        ActivityTraceId trace;
        using (var edge = TestSource.StartActivity("edge request", ActivityKind.Server)!)
        {
            trace = edge.TraceId;
            await client.CallAsync<HelloRequest, HelloResponse>("telemetry-front", "Front.Relay", new HelloRequest("trace"));
        }

        await audit.Seen.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await WaitFor(() => stopped.Any(a => a.TraceId == trace && a.Kind == ActivityKind.Consumer));
        var spans = stopped.Where(a => a.TraceId == trace).ToList();
        Activity Span(string name, ActivityKind kind) => Assert.Single(spans, a => a.OperationName == name && a.Kind == kind);

        var root = Span("edge request", ActivityKind.Server);
        var callFront = Span("Front.Relay", ActivityKind.Client);
        var serveFront = Span("Front.Relay", ActivityKind.Server);
        var callGreeter = Span("Greeter.Hello", ActivityKind.Client);
        var serveGreeter = Span("Greeter.Hello", ActivityKind.Server);
        var publish = Span(Topic + " publish", ActivityKind.Producer);
        var deliver = Span(Topic + " process", ActivityKind.Consumer);
        Assert.Equal(root.SpanId, callFront.ParentSpanId);
        Assert.Equal(callFront.SpanId, serveFront.ParentSpanId);
        Assert.Equal(serveFront.SpanId, callGreeter.ParentSpanId);
        Assert.Equal(callGreeter.SpanId, serveGreeter.ParentSpanId);
        Assert.Equal(serveFront.SpanId, publish.ParentSpanId);
        Assert.Equal(publish.SpanId, deliver.ParentSpanId);
        Assert.Equal("telemetry-front", serveFront.GetTagItem("rpc.service"));
        Assert.Equal(200, serveGreeter.GetTagItem("rpc.micro.code"));
    }

    [Fact]
    public async Task Requests_errors_and_durations_are_measured_on_both_sides()
    {
        const string service = "telemetry-metrics";
        var measurements = new ConcurrentQueue<(string Instrument, double Value, Dictionary<string, object?> Tags)>();
        using var meters = new MeterListener();
        meters.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == MicroTelemetry.Name)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        meters.SetMeasurementEventCallback<long>((i, v, tags, _) => Record(i, v, tags));
        meters.SetMeasurementEventCallback<double>((i, v, tags, _) => Record(i, v, tags));
        meters.Start();

        await using var kit = new TestKit();
        await kit.StartServerAsync(service, new Greeter());
        var client = kit.CreateClient(ClientOptions.Default with { Retries = 0 });
        for (var i = 0; i < 3; i++)
        {
            await client.CallAsync<HelloRequest, HelloResponse>(service, "Greeter.Hello", new HelloRequest("m"));
        }

        await Assert.ThrowsAsync<MicroException>(async () => await client.CallAsync<HelloRequest, HelloResponse>(service, "Greeter.Missing", new HelloRequest("m")));

        double Sum(string instrument, int? code = null) => measurements
            .Where(m => m.Instrument == instrument && Equals(m.Tags.GetValueOrDefault("service"), service) && (code is null || Equals(m.Tags.GetValueOrDefault("code"), code)))
            .Sum(m => m.Value);
        Assert.Equal(3, Sum("micro.client.requests", 200));
        Assert.Equal(1, Sum("micro.client.requests", 404));
        Assert.Equal(1, Sum("micro.client.errors"));
        Assert.Equal(3, Sum("micro.server.requests", 200));
        Assert.Equal(1, Sum("micro.server.errors", 404));
        Assert.Equal(4, measurements.Count(m => m.Instrument == "micro.server.duration" && Equals(m.Tags.GetValueOrDefault("service"), service)));
        Assert.All(measurements.Where(m => m.Instrument == "micro.client.duration"), m => Assert.True(m.Value > 0));
        Assert.Equal(0, Sum("micro.server.active_requests")); // every +1 had its -1

        void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var map = new Dictionary<string, object?>();
            foreach (var (k, v) in tags)
            {
                map[k] = v;
            }

            measurements.Enqueue((instrument.Name, value, map));
        }
    }

    private static async Task WaitFor(Func<bool> condition)
    {
        for (var i = 0; i < 1000 && !condition(); i++)
        {
            await Task.Delay(10);
        }

        Assert.True(condition(), "not seen within 10 s");
    }
}
