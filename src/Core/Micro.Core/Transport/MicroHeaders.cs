namespace Micro.Transport;

/// <summary>go-micro's message header names (wire names: do not change).</summary>
public static class MicroHeaders
{
    public const string ContentType = "Content-Type";
    public const string Accept = "Accept";
    /// <summary>The remaining deadline in nanoseconds.</summary>
    public const string Timeout = "Timeout";
    public const string Id = "Micro-Id";
    public const string Service = "Micro-Service";
    public const string Method = "Micro-Method";
    public const string Endpoint = "Micro-Endpoint";
    public const string Error = "Micro-Error";
    public const string Stream = "Micro-Stream";
    public const string FromService = "Micro-From-Service";
    public const string Topic = "Micro-Topic";

    /// <summary>
    /// Who called, as the edge (<c>micro api</c> or <c>micro web</c> with <c>--auth</c>) authenticated them: a JWT's
    /// <c>sub</c> or an API key's name. Callers outside cannot set it: the edge drops every <c>Micro-*</c> header they send.
    /// </summary>
    public const string User = "Micro-User";
    /// <summary>Added on the server side: the addresses of the connection.</summary>
    public const string Local = "Local";
    public const string Remote = "Remote";

    /// <summary>True for headers the protocol itself uses (not user metadata).</summary>
    public static bool IsProtocolHeader(string name)
        => name.Equals(ContentType, StringComparison.OrdinalIgnoreCase)
           || name.Equals(Accept, StringComparison.OrdinalIgnoreCase)
           || name.Equals(Timeout, StringComparison.OrdinalIgnoreCase)
           || name.StartsWith("Micro-", StringComparison.OrdinalIgnoreCase);
}
