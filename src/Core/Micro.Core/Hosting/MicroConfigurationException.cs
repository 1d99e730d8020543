namespace Micro.Hosting;

/// <summary>
/// A configuration Micro cannot start with, said in one line that names the setting and what to change. A service
/// reports it on stderr and exits with code 2 (<see cref="MicroServiceApp.ConfigurationErrorExitCode"/>).
/// </summary>
public sealed class MicroConfigurationException : ArgumentException
{
    public MicroConfigurationException(string message)
        : base(message)
    {
    }

    public MicroConfigurationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public MicroConfigurationException()
    {
    }
}
