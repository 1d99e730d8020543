using Micro.Transport;

namespace Micro.Server;

/// <summary>
/// A stage of the server pipeline: wraps the next stage (logging, auth, metrics...). Throw <see cref="MicroException"/>
/// (or return <see cref="ServerResponse.Failure"/>) to refuse.
/// </summary>
public delegate RequestHandler ServerMiddleware(RequestHandler next);
