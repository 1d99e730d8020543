using Micro.Transport;

namespace Micro.Server;

/// <summary>Handles one request from a stage of the server pipeline inwards.</summary>
public delegate ValueTask<ServerResponse> RequestHandler(ServerRequest request, CancellationToken cancellationToken);
