namespace Micro.Api;

/// <summary>The gateway's resolver names.</summary>
public static class ApiResolvers
{
    public const string Micro = "micro";
    public const string Path = "path";
    public const string Host = "host";

    public static readonly IReadOnlyList<string> All = [Micro, Path, Host];
}
