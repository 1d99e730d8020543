using System.Diagnostics;
using Micro.Registry;

namespace Micro.Tests;

/// <summary>The local registry's folder is this user's alone, and odd entries in it cost only themselves.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // file modes and FIFOs are Unix's
public sealed class LocalRegistryHardeningTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "micro-local-hardening", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private static Service Greeter(string id) => new() { Name = "greeter", Nodes = [new Node { Id = id, Address = "127.0.0.1:9000" }] };

    [Fact]
    public async Task Folders_are_0700_and_files_0600()
    {
        await using var registry = new LocalRegistry(_folder);
        await registry.RegisterAsync(Greeter("g-1"), TimeSpan.FromMinutes(1));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(_folder));
        var service = Directory.GetDirectories(_folder).Single();
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(service));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Directory.GetFiles(service, "*.json").Single()));
    }

    [Fact]
    public async Task An_existing_open_folder_is_narrowed()
    {
        Directory.CreateDirectory(_folder);
        File.SetUnixFileMode(_folder, (UnixFileMode)0b111_101_101); // 0755, as older versions made it
        await using var registry = new LocalRegistry(_folder);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(_folder));
    }

    [Fact]
    public async Task A_fifo_a_symlink_to_dev_zero_and_an_oversized_file_do_not_break_or_hang_readers()
    {
        await using var registry = new LocalRegistry(_folder);
        await registry.RegisterAsync(Greeter("g-1"), TimeSpan.FromMinutes(1));
        var service = Directory.GetDirectories(_folder).Single();
        using (var mkfifo = Process.Start(new ProcessStartInfo("mkfifo", Path.Combine(service, "fifo.json")) { UseShellExecute = false })!)
        {
            await mkfifo.WaitForExitAsync();
            Assert.Equal(0, mkfifo.ExitCode);
        }

        File.CreateSymbolicLink(Path.Combine(service, "zero.json"), "/dev/zero");
        await File.WriteAllBytesAsync(Path.Combine(service, "huge.json"), new byte[2 * 1024 * 1024]);

        var nodes = await registry.GetServiceAsync("greeter").AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal("g-1", nodes.Single().Nodes.Single().Id); // the real node, the rest skipped
        Assert.Contains("greeter", (await registry.ListServicesAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30))).Select(s => s.Name));
    }
}
