using System.Text.RegularExpressions;

namespace Micro.Api;

/// <summary>Where a request goes: the service (with namespace), the endpoint for rpc, and what the route was made from.</summary>
public sealed record ApiRoute(string Service, string Endpoint, string Path);
