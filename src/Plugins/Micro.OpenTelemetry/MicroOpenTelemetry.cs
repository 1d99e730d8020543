using Micro.Diagnostics;
using Micro.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Micro.OpenTelemetry;

/// <summary>Where telemetry goes: <c>otlp</c> (the standard <c>OTEL_EXPORTER_OTLP_*</c> variables say where), <c>console</c>, or <c>none</c>.</summary>
public sealed record MicroOpenTelemetryOptions
{
    /// <summary><c>--otel_exporter</c> / <c>MICRO_OTEL_EXPORTER</c>: otlp (default), console or none (sources enabled, no exporter: add your own).</summary>
    public string Exporter { get; init; } = "otlp";

    /// <summary>The <c>service.name</c> resource; defaults to the server name.</summary>
    public string? ServiceName { get; init; }

    /// <summary>Also trace ASP.NET Core's incoming requests (the gateway, the dashboard), so a trace starts at the edge.</summary>
    public bool IncludeAspNetCore { get; init; } = true;

    public static MicroOpenTelemetryOptions FromConfiguration(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var exporter = (configuration["otel_exporter"] ?? configuration["MICRO_OTEL_EXPORTER"] ?? "otlp").Trim().ToLowerInvariant();
        if (exporter is not ("otlp" or "console" or "none"))
        {
            throw new ArgumentException($"--otel_exporter {exporter}: expected otlp, console or none");
        }

        return new MicroOpenTelemetryOptions { Exporter = exporter, ServiceName = configuration["server_name"] ?? configuration["MICRO_SERVER_NAME"] };
    }
}

public static class MicroOpenTelemetryExtensions
{
    /// <summary>Traces Micro's client calls, server requests, publishes and deliveries.</summary>
    public static TracerProviderBuilder AddMicroInstrumentation(this TracerProviderBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddSource(MicroTelemetry.Name);
    }

    /// <summary>Collects Micro's metrics (micro.client.*, micro.server.*, micro.transport.*, micro.broker.*).</summary>
    public static MeterProviderBuilder AddMicroInstrumentation(this MeterProviderBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddMeter(MicroTelemetry.Name);
    }

    /// <summary>
    /// OpenTelemetry for a Micro service in one line: <c>builder.AddOpenTelemetry()</c>. The exporter comes from
    /// configuration (<c>--otel_exporter</c>); <paramref name="configure"/> adds more (sources, exporters, samplers).
    /// </summary>
    public static MicroServiceBuilder AddOpenTelemetry(this MicroServiceBuilder builder, Action<OpenTelemetryBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddMicroOpenTelemetry(MicroOpenTelemetryOptions.FromConfiguration(builder.Configuration), configure);
        return builder;
    }

    /// <summary>The same for any host (an ASP.NET Core app that uses a Micro client, say), with explicit options.</summary>
    public static IServiceCollection AddMicroOpenTelemetry(this IServiceCollection services, MicroOpenTelemetryOptions options, Action<OpenTelemetryBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        var otel = services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(options.ServiceName ?? "micro"))
            .WithTracing(t =>
            {
                t.AddMicroInstrumentation();
                if (options.IncludeAspNetCore)
                {
                    t.AddSource("Microsoft.AspNetCore");
                }

                _ = options.Exporter switch
                {
                    "otlp" => t.AddOtlpExporter(),
                    "console" => t.AddConsoleExporter(),
                    _ => t,
                };
            })
            .WithMetrics(m =>
            {
                m.AddMicroInstrumentation();
                _ = options.Exporter switch
                {
                    "otlp" => m.AddOtlpExporter(),
                    "console" => m.AddConsoleExporter(),
                    _ => m,
                };
            });
        configure?.Invoke(otel);
        return services;
    }
}
