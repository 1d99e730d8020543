namespace Micro.Client;

internal static class Durations
{
    /// <summary>"1.5s" or "250ms", as the client's timeout messages say it.</summary>
    public static string Format(TimeSpan t) => t.TotalSeconds >= 1 ? $"{t.TotalSeconds:0.###}s" : $"{t.TotalMilliseconds:0}ms";
}
