using System.Globalization;
using Micro.Hosting;

namespace Micro.Edge;

/// <summary>
/// <c>--rate_limit 100/s</c>: how many requests (gateway) or tool calls (MCP) one caller (a signed-in identity, else a client address) may make per
/// period; the rest get a 429 with <c>Retry-After</c>. Periods: <c>s</c>, <c>m</c>, <c>h</c> or a duration (<c>100/10s</c>).
/// </summary>
public sealed record EdgeRateLimit(int Requests, TimeSpan Period)
{
    /// <exception cref="FormatException">Not <c>requests/period</c> with a positive count and period; the message says so.</exception>
    public static EdgeRateLimit Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split('/', 2, StringSplitOptions.TrimEntries);
        if (parts.Length != 2 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var requests) || requests <= 0)
        {
            throw new FormatException($"--rate_limit '{text}' is not <requests>/<period> with a positive number of requests, e.g. 100/s");
        }

        var period = parts[1] switch
        {
            "s" => TimeSpan.FromSeconds(1),
            "m" => TimeSpan.FromMinutes(1),
            "h" => TimeSpan.FromHours(1),
            var other => ParsePeriod(other, text),
        };
        return new EdgeRateLimit(requests, period);
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Requests}/{Period.TotalSeconds:0.###}s");

    private static TimeSpan ParsePeriod(string period, string text)
        => Durations.TryParse(period, out var parsed) && parsed > TimeSpan.Zero
            ? parsed
            : throw new FormatException($"--rate_limit '{text}': the period '{period}' is not s, m, h or a positive duration such as 10s");
}
