using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Micro.TestFixtures;

/// <summary>
/// A real server (nats-server, rabbitmq-server...) started for tests on a free loopback port with its own data folder,
/// restartable on the same port, removed with its folder at the end. A missing binary fails with what to install.
/// </summary>
public abstract class ExternalServer : IAsyncDisposable
{
    private readonly StringBuilder _log = new();
    private Process? _process;

    protected ExternalServer(string binary, string debianPackage)
    {
        Binary = binary;
        DataFolder = Path.Combine(Path.GetTempPath(), "micro-servers", GetType().Name + "-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(DataFolder);
        if (!File.Exists(binary))
        {
            throw new InvalidOperationException(
                $"{binary} is not installed: these tests need a real server. Install it with `apt-get install {debianPackage}` " +
                "(eng/test.sh does this), then run the tests again.");
        }
    }

    public string Binary { get; }

    public string DataFolder { get; }

    public int Port { get; protected set; }

    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    public static int FreePort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    public async Task StartAsync()
    {
        var info = StartInfo();
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.UseShellExecute = false;
        _process = Process.Start(info)!;
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (!await IsReadyAsync())
        {
            if (_process.HasExited && !KeepsRunningAfterLauncherExits)
            {
                throw new InvalidOperationException($"{Path.GetFileName(Binary)} exited with {_process.ExitCode} before it was ready:\n{Log}");
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{Path.GetFileName(Binary)} was not ready on 127.0.0.1:{Port} within 90 s:\n{Log}");
            }

            await Task.Delay(100);
        }
    }

    public virtual async Task StopAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process?.Dispose();
        _process = null;
    }

    public async Task RestartAsync()
    {
        await StopAsync();
        await StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        GC.SuppressFinalize(this);
        try
        {
            Directory.Delete(DataFolder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    protected virtual bool KeepsRunningAfterLauncherExits => false;

    protected abstract ProcessStartInfo StartInfo();

    protected virtual async Task<bool> IsReadyAsync()
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, Port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_log)
            {
                _log.AppendLine(line);
            }
        }
    }
}

/// <summary>nats-server with JetStream, on a free loopback port.</summary>
public sealed class NatsServer : ExternalServer
{
    /// <param name="tls">Serve TLS only, with these files, and require client certificates signed by their CA (<c>--tlsverify</c>).</param>
    public NatsServer(bool tls = false)
        : base("/usr/sbin/nats-server", "nats-server")
    {
        Port = FreePort();
        Tls = tls ? TestPki.WriteServerFiles(DataFolder) : null;
    }

    /// <summary>The server's TLS files and a trusted client's settings (null: plain).</summary>
    public ServerTlsFiles? Tls { get; }

    public string Url => $"nats://127.0.0.1:{Port}";

    protected override ProcessStartInfo StartInfo()
    {
        var info = new ProcessStartInfo(Binary);
        foreach (var a in new[] { "-a", "127.0.0.1", "-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-js", "-sd", DataFolder})
        {
            info.ArgumentList.Add(a);
        }

        if (Tls is not null)
        {
            foreach (var a in new[] { "--tlsverify", "--tlscert", Tls.CertificatePath, "--tlskey", Tls.KeyPath, "--tlscacert", Tls.AuthorityPath })
            {
                info.ArgumentList.Add(a);
            }
        }

        return info;
    }
}

/// <summary>
/// rabbitmq-server as the current user on free loopback ports (AMQP and Erlang distribution), with its own node name,
/// data, logs and cookie in its folder, so it neither needs nor touches the system service.
/// </summary>
public sealed class RabbitMqServer : ExternalServer
{
    private readonly int _distributionPort = FreePort();

    public RabbitMqServer()
        : base("/usr/lib/rabbitmq/bin/rabbitmq-server", "rabbitmq-server")
    {
        Port = FreePort();
        TlsPort = FreePort();
        Tls = TestPki.WriteServerFiles(DataFolder);
        File.WriteAllText(Path.Combine(DataFolder, "rabbitmq.conf"), $"""
            listeners.tcp.1 = 127.0.0.1:{Port}
            loopback_users = none
            listeners.ssl.1 = 127.0.0.1:{TlsPort}
            ssl_options.cacertfile = {Tls.AuthorityPath}
            ssl_options.certfile = {Tls.CertificatePath}
            ssl_options.keyfile = {Tls.KeyPath}
            ssl_options.verify = verify_peer
            ssl_options.fail_if_no_peer_cert = true

            """);
        File.WriteAllText(Path.Combine(DataFolder, "enabled_plugins"), "[].");
    }

    public string Url => $"amqp://guest:guest@127.0.0.1:{Port}/";

    /// <summary>The TLS listener, which requires a client certificate signed by <see cref="Tls"/>'s CA.</summary>
    public int TlsPort { get; }

    public string TlsUrl => $"amqp://guest:guest@127.0.0.1:{TlsPort}/";

    public ServerTlsFiles Tls { get; }

    protected override ProcessStartInfo StartInfo()
    {
        var info = new ProcessStartInfo(Binary);
        var env = info.Environment;
        env["RABBITMQ_NODENAME"] = $"micro-test-{Port}@localhost";
        env["RABBITMQ_NODE_IP_ADDRESS"] = "127.0.0.1";
        env["RABBITMQ_NODE_PORT"] = Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        env["RABBITMQ_DIST_PORT"] = _distributionPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        env["RABBITMQ_CONFIG_FILE"] = Path.Combine(DataFolder, "rabbitmq");
        env["RABBITMQ_ENABLED_PLUGINS_FILE"] = Path.Combine(DataFolder, "enabled_plugins");
        env["RABBITMQ_MNESIA_BASE"] = Path.Combine(DataFolder, "mnesia");
        env["RABBITMQ_LOG_BASE"] = Path.Combine(DataFolder, "log");
        env["RABBITMQ_PID_FILE"] = Path.Combine(DataFolder, "rabbitmq.pid");
        env["RABBITMQ_ADVANCED_CONFIG_FILE"] = Path.Combine(DataFolder, "advanced.config");
        env["RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS"] = "-kernel inet_dist_use_interface {127,0,0,1}";
        env["ERL_EPMD_ADDRESS"] = "127.0.0.1";
        env["HOME"] = DataFolder; // the Erlang cookie lives here
        return info;
    }
}

/// <summary>etcd (v3 API) as a single-member cluster on free loopback ports with its own data folder.</summary>
public sealed class EtcdServer : ExternalServer
{
    private readonly int _peerPort = FreePort();

    /// <param name="tls">Serve HTTPS and require client certificates (<see cref="Files"/>: the CA, the server's and a client's).</param>
    public EtcdServer(bool tls = false)
        : base("/usr/bin/etcd", "etcd-server")
    {
        Port = FreePort();
        Files = tls ? TestPki.WriteServerFiles(DataFolder) : null;
    }

    public string Address => $"127.0.0.1:{Port}";

    /// <summary>The TLS files when started with TLS, else null.</summary>
    public ServerTlsFiles? Files { get; }

    /// <summary>Runs etcdctl (v3 API) against this server; returns its exit code and what it printed.</summary>
    public async Task<(int ExitCode, string Output)> CtlAsync(params string[] args)
    {
        var info = new ProcessStartInfo("/usr/bin/etcdctl") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.Environment["ETCDCTL_API"] = "3";
        info.ArgumentList.Add("--endpoints=" + Address);
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info)!;
        var output = await process.StandardOutput.ReadToEndAsync() + await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, output);
    }

    protected override ProcessStartInfo StartInfo()
    {
        var info = new ProcessStartInfo(Binary);
        var client = $"{(Files is null ? "http" : "https")}://127.0.0.1:{Port}";
        var peer = $"http://127.0.0.1:{_peerPort}";
        string[] tls = Files is null ? [] : ["--cert-file", Files.CertificatePath, "--key-file", Files.KeyPath, "--trusted-ca-file", Files.AuthorityPath, "--client-cert-auth"];
        foreach (var a in new[]
        {
            "--name", "micro-test", "--data-dir", Path.Combine(DataFolder, "data"),
            "--listen-client-urls", client, "--advertise-client-urls", client,
            "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
            "--initial-cluster", $"micro-test={peer}", "--log-level", "warn",
        }.Concat(tls))
        {
            info.ArgumentList.Add(a);
        }

        return info;
    }
}

/// <summary>redis-server on a free loopback port, nothing saved to disk, its folder as working directory.</summary>
public sealed class RedisServer : ExternalServer
{
    public RedisServer()
        : base("/usr/bin/redis-server", "redis-server")
    {
        Port = FreePort();
    }

    /// <summary>What StackExchange.Redis connects with.</summary>
    public string Address => $"127.0.0.1:{Port}";

    protected override ProcessStartInfo StartInfo()
    {
        var info = new ProcessStartInfo(Binary) { WorkingDirectory = DataFolder };
        foreach (var a in new[] { "--bind", "127.0.0.1", "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--save", "", "--appendonly", "no", "--dir", DataFolder, "--protected-mode", "yes" })
        {
            info.ArgumentList.Add(a);
        }

        return info;
    }
}
