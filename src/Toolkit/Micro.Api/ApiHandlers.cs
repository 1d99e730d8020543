namespace Micro.Api;

/// <summary>The gateway's handler names.</summary>
public static class ApiHandlers
{
    public const string Rpc = "rpc";
    public const string Api = "api";
    public const string Http = "http";
    public const string Proxy = "proxy";
    public const string Event = "event";
    public const string Web = "web";

    public static readonly IReadOnlyList<string> All = [Rpc, Api, Http, Proxy, Event, Web];
}
