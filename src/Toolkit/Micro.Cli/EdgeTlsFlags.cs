using System.CommandLine;
using Micro.Transport;

namespace Micro.Cli;

/// <summary>HTTPS for <c>micro api</c>, <c>web</c> and <c>proxy</c>: go-micro's <c>--tls_cert_file</c>/<c>--tls_key_file</c>, plus a client CA.</summary>
internal sealed class EdgeTlsFlags
{
    private readonly Option<string> _cert = new("--tls_cert_file") { Description = "Serve HTTPS with this certificate (PEM). Env MICRO_TLS_CERT_FILE." };
    private readonly Option<string> _key = new("--tls_key_file") { Description = "Its private key (PEM). Env MICRO_TLS_KEY_FILE." };
    private readonly Option<string> _ca = new("--tls_client_ca_file") { Description = "Require client certificates issued by this CA (PEM): mutual TLS. Env MICRO_TLS_CLIENT_CA_FILE." };

    public void AddTo(Command command)
    {
        command.Options.Add(_cert);
        command.Options.Add(_key);
        command.Options.Add(_ca);
    }

    /// <summary>The TLS settings, or null for plain HTTP; missing or unreadable files are an <see cref="ArgumentException"/> naming them.</summary>
    public TransportTls? Read(ParseResult parse)
    {
        var cert = parse.GetValue(_cert) ?? Environment.GetEnvironmentVariable("MICRO_TLS_CERT_FILE");
        var key = parse.GetValue(_key) ?? Environment.GetEnvironmentVariable("MICRO_TLS_KEY_FILE");
        var ca = parse.GetValue(_ca) ?? Environment.GetEnvironmentVariable("MICRO_TLS_CLIENT_CA_FILE");
        if (cert is null)
        {
            return ca is null && key is null ? null : throw new ArgumentException("--tls_key_file and --tls_client_ca_file need --tls_cert_file");
        }

        return TransportTls.FromFiles(cert, key, ca, ("--tls_cert_file", "--tls_key_file", "--tls_client_ca_file"));
    }
}
