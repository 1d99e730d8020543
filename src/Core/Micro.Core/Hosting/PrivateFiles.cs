namespace Micro.Hosting;

/// <summary>
/// Folders and files only this user may read (0700 and 0600 on Unix): the local registry, where anything written is
/// dialled by every caller, and the development TLS key.
/// </summary>
public static class PrivateFiles
{
    private const UnixFileMode FolderMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Creates the folder as 0700, or narrows an existing one to it.</summary>
    public static void CreateFolder(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
            return;
        }

        var info = Directory.CreateDirectory(path, FolderMode);
        if ((info.UnixFileMode & ~FolderMode) != 0)
        {
            try
            {
                info.UnixFileMode = FolderMode; // made by an older version, or by hand
            }
            catch (UnauthorizedAccessException)
            {
                // not ours to change (a folder another user shares on purpose): leave it
            }
        }
    }

    /// <summary>Writes a new file readable by this user only.</summary>
    public static async Task WriteNewAsync(string path, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken = default)
    {
        var options = new FileStreamOptions { Mode = System.IO.FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = FileMode;
        }

        var stream = new FileStream(path, options);
        await using (stream.ConfigureAwait(false))
        {
            await stream.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Writes a new file readable by this user only (synchronous).</summary>
    public static void WriteNew(string path, ReadOnlySpan<byte> bytes)
    {
        var options = new FileStreamOptions { Mode = System.IO.FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = FileMode;
        }

        using var stream = new FileStream(path, options);
        stream.Write(bytes);
    }
}
