using System.Reflection;
using System.Runtime.CompilerServices;
using Micro.Codec;
using Micro.Transport;
using Microsoft.Extensions.DependencyInjection;

namespace Micro.Server;

/// <summary>Serves one stream of an endpoint.</summary>
public delegate ValueTask StreamHandler(ServerStream stream, CancellationToken cancellationToken);
