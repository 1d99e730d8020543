using System.Diagnostics;
using Micro.Hosting;
using Micro.Testing;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Micro.OpenTelemetry.Tests;

public sealed class ExportTests
{
    [Fact]
    public async Task A_services_calls_are_exported_as_spans_and_metrics()
    {
        var spans = new List<Activity>();
        var metrics = new List<Metric>();
        var builder = MicroService.CreateBuilder(["--registry", "memory", "--server_name", "otel-greeter", "--otel_exporter", "none"]);
        builder.AddHandler<Greeter>();
        builder.AddOpenTelemetry(otel => otel
            .WithTracing(t => t.AddInMemoryExporter(spans))
            .WithMetrics(m => m.AddInMemoryExporter(metrics)));
        await using (var app = builder.Build())
        {
            await app.StartAsync();
            for (var i = 0; i < 5; i++)
            {
                await app.Client.CallAsync<HelloRequest, HelloResponse>("otel-greeter", "Greeter.Hello", new HelloRequest("otel"));
            }

            app.Services.GetRequiredService<TracerProvider>().ForceFlush();
            app.Services.GetRequiredService<MeterProvider>().ForceFlush();
            await app.StopAsync();
        }

        lock (spans)
        {
            Assert.Equal(5, spans.Count(s => s.OperationName == "Greeter.Hello" && s.Kind == ActivityKind.Client));
            Assert.Equal(5, spans.Count(s => s.OperationName == "Greeter.Hello" && s.Kind == ActivityKind.Server));
            var server = spans.First(s => s.Kind == ActivityKind.Server);
            Assert.Contains(spans, c => c.Kind == ActivityKind.Client && c.SpanId == server.ParentSpanId);
        }

        var requests = metrics.First(m => m.Name == "micro.server.requests"); // cumulative: the first flush holds all five
        long total = 0;
        foreach (ref readonly var point in requests.GetMetricPoints())
        {
            total += point.GetSumLong();
        }

        Assert.Equal(5, total);
        Assert.Contains(metrics, m => m.Name == "micro.client.duration" && m.MetricType == MetricType.Histogram);
    }

    [Fact]
    public void An_unknown_exporter_is_a_clear_error()
    {
        var builder = MicroService.CreateBuilder(["--registry", "memory", "--otel_exporter", "jaeger"]);
        var e = Assert.Throws<ArgumentException>(() => builder.AddOpenTelemetry());
        Assert.Contains("--otel_exporter jaeger: expected otlp, console or none", e.Message);
    }
}
