using System.Diagnostics;

namespace Micro.TestFixtures;

/// <summary>
/// Prosody (Debian's XMPP server) on a free loopback port, configured for the test: domain <c>localhost</c> with a
/// self-signed certificate made with openssl (trust it through <see cref="CertificatePath"/>), STARTTLS required,
/// hashed passwords (SCRAM), a multi-user chat component <c>conference.localhost</c>, no server-to-server, no HTTP.
/// Accounts are created with prosodyctl.
/// </summary>
public sealed class ProsodyServer : ExternalServer
{
    public const string Domain = "localhost";
    public const string Conference = "conference.localhost";

    public ProsodyServer()
        : base("/usr/bin/prosody", "prosody")
    {
        Port = FreePort();
        if (!File.Exists("/usr/bin/openssl"))
        {
            throw new InvalidOperationException("openssl is not installed: the Prosody fixture makes its certificate with it. Install it with `apt-get install openssl`.");
        }

        Run("/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
            "-addext", "subjectAltName=DNS:localhost,DNS:conference.localhost",
            "-keyout", Path.Combine(DataFolder, "localhost.key"), "-out", CertificatePath);
        File.WriteAllText(ConfigPath, $$"""
            run_as_root = true
            pidfile = "{{DataFolder}}/prosody.pid"
            data_path = "{{DataFolder}}/data"
            certificates = "{{DataFolder}}"
            log = { { levels = { min = "info" }, to = "file", filename = "{{DataFolder}}/prosody.log" } }
            interfaces = { "127.0.0.1" }
            c2s_ports = { {{Port}} }
            c2s_direct_tls_ports = { }
            s2s_ports = { }
            http_ports = { }
            https_ports = { }
            modules_enabled = { "roster"; "saslauth"; "tls"; "disco"; "ping"; "posix" }
            modules_disabled = { "s2s" }
            authentication = "internal_hashed"
            c2s_require_encryption = true
            allow_registration = false
            VirtualHost "localhost"
              ssl = { certificate = "{{CertificatePath}}"; key = "{{DataFolder}}/localhost.key"; }
            Component "conference.localhost" "muc"
              muc_room_default_public_jids = true
            """);
        Directory.CreateDirectory(Path.Combine(DataFolder, "data"));
    }

    public string CertificatePath => Path.Combine(DataFolder, "localhost.crt");

    public string ConfigPath => Path.Combine(DataFolder, "prosody.cfg.lua");

    public string Address => $"127.0.0.1:{Port}";

    /// <summary>Creates an account user@localhost with the password.</summary>
    public string AddUser(string user, string password)
    {
        Run("/usr/bin/prosodyctl", "--config", ConfigPath, "register", user, Domain, password);
        return $"{user}@{Domain}";
    }

    protected override ProcessStartInfo StartInfo()
    {
        var info = new ProcessStartInfo(Binary);
        info.ArgumentList.Add("--config");
        info.ArgumentList.Add(ConfigPath);
        info.ArgumentList.Add("-F"); // foreground: the fixture owns the process
        return info;
    }

    private static void Run(string program, params string[] args)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', args)} failed ({process.ExitCode}): {output.Result}{error.Result}");
        }
    }
}
