using Microsoft.Extensions.Logging;

namespace Micro.Nats;

/// <summary>
/// The logger factory NATS.Net is given: its own lines as they are, except the dump of the server's INFO (every field
/// of <c>ServerInfo</c>, logged at Information on each connect), which is for debugging and goes to Debug.
/// </summary>
internal sealed class NatsLogging(ILoggerFactory inner) : ILoggerFactory
{
    private const string ReadProtocol = "NATS.Client.Core.Internal.NatsReadProtocolProcessor";

    public static ILoggerFactory Wrap(ILoggerFactory loggerFactory) => loggerFactory is NatsLogging ? loggerFactory : new NatsLogging(loggerFactory);

    public ILogger CreateLogger(string categoryName)
        => categoryName == ReadProtocol ? new Demoted(inner.CreateLogger(categoryName)) : inner.CreateLogger(categoryName);

    public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

    public void Dispose()
    {
        // The wrapped factory belongs to whoever passed it in.
    }

    private sealed class Demoted(ILogger inner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(Level(logLevel));

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            => inner.Log(Level(logLevel), eventId, state, exception, formatter);

        private static LogLevel Level(LogLevel level) => level == LogLevel.Information ? LogLevel.Debug : level;
    }
}
