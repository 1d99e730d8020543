using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Micro.Registry;

/// <summary>
/// The default registry: works across processes on one machine with no server and no network traffic.
/// Each node is one file <c>&lt;folder&gt;/&lt;service&gt;/&lt;node&gt;.json</c> holding its service JSON and expiry.
/// Files are written to a temporary name and renamed into place, so concurrent writers and readers never see a torn file.
/// Watchers learn of changes from file-system notifications and a poll (which also catches expiry).
/// </summary>
public sealed class LocalRegistry : NodeStoreRegistry
{
    /// <summary>Files expired for longer than this are removed by readers (their process is long gone).</summary>
    private static readonly TimeSpan StaleFileAge = TimeSpan.FromHours(1);

    private readonly ILogger _logger;
    private readonly FileSystemWatcher? _watcher;

    public LocalRegistry(string? folder = null, TimeProvider? timeProvider = null, TimeSpan? pollInterval = null, ILogger<LocalRegistry>? logger = null)
        : base(timeProvider, pollInterval ?? TimeSpan.FromSeconds(1))
    {
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        Folder = Path.GetFullPath(string.IsNullOrWhiteSpace(folder) ? DefaultFolder : folder);
        Hosting.PrivateFiles.CreateFolder(Folder); // 0700: what is written here, every caller dials
        try
        {
            _watcher = new FileSystemWatcher(Folder) { IncludeSubdirectories = true, NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite };
            _watcher.Created += (_, _) => NotifyChanged();
            _watcher.Deleted += (_, _) => NotifyChanged();
            _watcher.Renamed += (_, _) => NotifyChanged();
            _watcher.Changed += (_, _) => NotifyChanged();
            _watcher.Error += (_, e) => _logger.LogDebug(e.GetException(), "Local registry file watch failed; polling continues");
            _watcher.EnableRaisingEvents = true;
        }
        catch (Exception e) when (e is IOException or PlatformNotSupportedException or ArgumentException)
        {
            // Out of inotify watches or similar: polling alone still finds every change.
            _logger.LogDebug(e, "Local registry falls back to polling {Folder}", Folder);
            _watcher?.Dispose();
            _watcher = null;
        }
    }

    /// <summary>A per-user folder: <c>~/.local/share/micro/registry</c> on Linux.</summary>
    public static string DefaultFolder =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create), "micro", "registry");

    public override string Name => "local";

    public string Folder { get; }

    protected override async ValueTask WriteAsync(NodeRecord record, CancellationToken cancellationToken)
    {
        var dir = ServiceFolder(record.Service.Name);
        Hosting.PrivateFiles.CreateFolder(dir);
        var path = Path.Combine(dir, Escape(record.Node.Id) + ".json");
        var temp = Path.Combine(dir, "." + Escape(record.Node.Id) + "." + Guid.NewGuid().ToString("N") + ".tmp");
        var content = new LocalRegistryFile(record.Expires.ToUnixTimeMilliseconds(), record.Service);
        try
        {
            await Hosting.PrivateFiles.WriteNewAsync(temp, JsonSerializer.SerializeToUtf8Bytes(content, RegistryJsonContext.Default.LocalRegistryFile), cancellationToken).ConfigureAwait(false);
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }

    protected override ValueTask RemoveAsync(string service, string nodeId, CancellationToken cancellationToken)
    {
        var path = Path.Combine(ServiceFolder(service), Escape(nodeId) + ".json");
        File.Delete(path);
        return ValueTask.CompletedTask;
    }

    protected override async ValueTask<IReadOnlyList<NodeRecord>> ReadAllAsync(string? service, CancellationToken cancellationToken)
    {
        var records = new List<NodeRecord>();
        IEnumerable<string> folders = service is null ? SafeEnumerate(() => Directory.EnumerateDirectories(Folder)) : [ServiceFolder(service)];
        var now = TimeProvider.GetUtcNow();
        foreach (var dir in folders)
        {
            foreach (var file in SafeEnumerate(() => Directory.EnumerateFiles(dir, "*.json")))
            {
                var record = await ReadFileAsync(file, cancellationToken).ConfigureAwait(false);
                if (record is null)
                {
                    continue;
                }

                if (record.Expires + StaleFileAge < now)
                {
                    TryDelete(file);
                    continue;
                }

                records.Add(record);
            }
        }

        return records;
    }

    public override ValueTask DisposeAsync()
    {
        _watcher?.Dispose();
        return base.DisposeAsync();
    }

    /// <summary>The largest registry file read: one node's service JSON is a few KiB.</summary>
    private const long MaxFileBytes = 1024 * 1024;

    private async ValueTask<NodeRecord?> ReadFileAsync(string file, CancellationToken cancellationToken)
    {
        byte[] bytes;
        try
        {
            // Only regular files we wrote: a symlink (to /dev/zero, say) is not followed, and an empty entry (a FIFO
            // stats as 0 bytes) is never opened, since opening a FIFO would wait for a writer forever.
            var info = new FileInfo(file);
            if (info.LinkTarget is not null || info.Length is 0 or > MaxFileBytes)
            {
                _logger.LogWarning("Ignoring local registry entry {File}: {Reason}", file,
                    info.LinkTarget is not null ? "a symbolic link" : info.Length == 0 ? "empty or not a regular file" : $"{info.Length} bytes, over {MaxFileBytes}");
                return null;
            }

            bytes = await File.ReadAllBytesAsync(file, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null; // deregistered while we listed
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // One unreadable file costs only itself, never the whole listing.
            _logger.LogWarning("Ignoring local registry file {File}: {Reason}", file, e.Message);
            return null;
        }

        try
        {
            var content = JsonSerializer.Deserialize(bytes, RegistryJsonContext.Default.LocalRegistryFile);
            if (content?.Service is not { Nodes.Count: 1 })
            {
                _logger.LogWarning("Ignoring local registry file {File}: it does not hold exactly one node", file);
                return null;
            }

            return new NodeRecord(content.Service, DateTimeOffset.FromUnixTimeMilliseconds(content.ExpiresUnixMilliseconds), Encoding.UTF8.GetString(bytes));
        }
        catch (JsonException e)
        {
            _logger.LogWarning("Ignoring local registry file {File}: {Reason}", file, e.Message);
            return null;
        }
    }

    private string ServiceFolder(string service) => Path.Combine(Folder, Escape(service));

    /// <summary>Makes a name safe as a file name, reversibly, so any service or node id can be stored.</summary>
    private static string Escape(string name)
    {
        var sb = new StringBuilder(name.Length);
        foreach (var c in name)
        {
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '_' || (c == '.' && sb.Length > 0))
            {
                sb.Append(c);
            }
            else
            {
                sb.Append('%').Append(((int)c).ToString("X4", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return sb.ToString();
    }

    private static IEnumerable<string> SafeEnumerate(Func<IEnumerable<string>> list)
    {
        try
        {
            return list().ToArray();
        }
        catch (DirectoryNotFoundException)
        {
            return [];
        }
    }

    private void TryDelete(string file)
    {
        try
        {
            File.Delete(file);
        }
        catch (IOException e)
        {
            _logger.LogDebug(e, "Could not remove stale registry file {File}", file);
        }
    }
}
