namespace Micro.Broker;

/// <summary>
/// A message a subscriber cannot decode (wrong content type, bad JSON...). Delivering it again cannot help, so it goes
/// to the dead-letter topic at once.
/// </summary>
public sealed class MessageDecodeException(string message, Exception? inner = null) : Exception(message, inner);
