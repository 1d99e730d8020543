using Micro.Client;
using Micro.Diagnostics;
using Micro.Hosting;
using Micro.Server;

namespace Micro.Web;

/// <summary>A service's chart data: the nodes read at the last sample, the points, and nodes that could not be read.</summary>
public sealed record MetricsReply(string Service, int Nodes, IReadOnlyList<MetricsPoint> Points, IReadOnlyList<string> Problems);
