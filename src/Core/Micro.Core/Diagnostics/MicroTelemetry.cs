using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Micro.Diagnostics;

/// <summary>
/// Micro's traces and metrics, both named <see cref="Name"/> ("Micro"): a span for every client call, server request,
/// publish and delivery, and the counters and histograms below. They cost next to nothing until something listens
/// (OpenTelemetry via <c>Micro.OpenTelemetry</c>, <c>dotnet-counters</c>, the dashboard).
/// </summary>
public static class MicroTelemetry
{
    /// <summary>The <see cref="ActivitySource"/> and <see cref="Meter"/> name.</summary>
    public const string Name = "Micro";

    public static readonly ActivitySource Source = new(Name, typeof(MicroTelemetry).Assembly.GetName().Version?.ToString(3));

    public static readonly Meter Meter = new(Name, typeof(MicroTelemetry).Assembly.GetName().Version?.ToString(3));

    /// <summary>Calls made by clients, tagged service, endpoint and code (200 or the error code).</summary>
    public static readonly Counter<long> ClientRequests = Meter.CreateCounter<long>("micro.client.requests", "{request}", "Calls made, by outcome.");

    /// <summary>Client calls that ended in an error, by code.</summary>
    public static readonly Counter<long> ClientErrors = Meter.CreateCounter<long>("micro.client.errors", "{request}", "Calls that failed.");

    /// <summary>Attempts retried on another node.</summary>
    public static readonly Counter<long> ClientRetries = Meter.CreateCounter<long>("micro.client.retries", "{attempt}", "Attempts retried after a failure.");

    /// <summary>Retries not made because the service's retry budget was spent (the call failed with its error instead).</summary>
    public static readonly Counter<long> ClientRetriesRefused = Meter.CreateCounter<long>("micro.client.retries_refused", "{attempt}", "Retries refused by the retry budget.");

    /// <summary>Second attempts made by hedging (the first had not answered within the hedge delay).</summary>
    public static readonly Counter<long> ClientHedges = Meter.CreateCounter<long>("micro.client.hedges", "{attempt}", "Hedged attempts.");

    /// <summary>The duration histograms' bucket upper bounds, in seconds (500 µs to 10 s).</summary>
    public static IReadOnlyList<double> DurationBuckets { get; } = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    public static readonly Histogram<double> ClientDuration = Meter.CreateHistogram<double>("micro.client.duration", "s", "Call duration, retries included.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });

    /// <summary>Requests served, tagged service, endpoint, code and node (the server's id).</summary>
    public static readonly Counter<long> ServerRequests = Meter.CreateCounter<long>("micro.server.requests", "{request}", "Requests served, by outcome.");

    public static readonly Counter<long> ServerErrors = Meter.CreateCounter<long>("micro.server.errors", "{request}", "Requests answered with an error.");

    public static readonly Histogram<double> ServerDuration = Meter.CreateHistogram<double>("micro.server.duration", "s", "Time to handle a request.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });

    /// <summary>Messages the http broker did not deliver (tags: <c>topic</c>, <c>reason</c>: queue_full, invalid_address, refused, unsigned).</summary>
    public static readonly Counter<long> BrokerDropped = Meter.CreateCounter<long>("micro.broker.dropped", "{message}", "Messages the broker gave up on or refused.");

    public static readonly UpDownCounter<long> ServerActiveRequests = Meter.CreateUpDownCounter<long>("micro.server.active_requests", "{request}", "Requests being handled now.");

    /// <summary>Open transport connections (tcp: pooled client connections and accepted server connections), tagged side.</summary>
    public static readonly UpDownCounter<long> TransportConnections = Meter.CreateUpDownCounter<long>("micro.transport.connections", "{connection}", "Open transport connections.");

    /// <summary>Whether any client instrument is listened to (so a call builds tags only when they are used).</summary>
    internal static bool ClientMeasured => ClientRequests.Enabled || ClientErrors.Enabled || ClientDuration.Enabled;

    internal static bool ServerMeasured => ServerRequests.Enabled || ServerErrors.Enabled || ServerDuration.Enabled || ServerActiveRequests.Enabled;

    public static readonly Counter<long> BrokerPublished = Meter.CreateCounter<long>("micro.broker.published", "{message}", "Messages published, by topic.");

    public static readonly Counter<long> BrokerDelivered = Meter.CreateCounter<long>("micro.broker.delivered", "{message}", "Messages handed to subscribers, by topic and outcome.");

    /// <summary>Deliveries whose handler failed (the broker redelivers or drops them, as it is configured).</summary>
    public static readonly Counter<long> BrokerDeliveryErrors = Meter.CreateCounter<long>("micro.broker.delivery_errors", "{message}", "Deliveries whose handler failed.");
}
