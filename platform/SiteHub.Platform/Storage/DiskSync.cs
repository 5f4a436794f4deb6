using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace SiteHub.Platform.Storage;

/// <summary>
/// Forces a file's written data to stable storage. LiteDB 5's <c>Commit()</c> writes its log
/// with a plain write(2) and never calls fsync, which survives a process crash but not a power
/// cut. fsync(2) works on the inode, so syncing through our own descriptor also syncs what LiteDB
/// wrote through its own. The file is opened anew each time because LiteDB may recreate its log.
/// </summary>
public static partial class DiskSync
{
    /// <summary>fsyncs the file at <paramref name="path"/>; does nothing if it does not exist.</summary>
    /// <exception cref="IOException">fsync failed: the data may not be on disk.</exception>
    public static void File(string path)
    {
        SafeFileHandle handle;
        try
        {
            handle = System.IO.File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        }
        catch (FileNotFoundException)
        {
            return;
        }

        using (handle)
        {
            Sync(handle, path);
        }
    }

    /// <summary>fsyncs a directory, so that files created in it survive a power cut.</summary>
    public static void Directory(string path)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            return;
        }

        var fd = Open(path, 0 /* O_RDONLY */);
        if (fd < 0)
        {
            throw new IOException($"Cannot open directory {path} to sync it (errno {Marshal.GetLastPInvokeError()}).");
        }

        try
        {
            if (FsyncFd(fd) != 0)
            {
                throw new IOException($"fsync of directory {path} failed (errno {Marshal.GetLastPInvokeError()}).");
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    private static void Sync(SafeFileHandle handle, string path)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            // Elsewhere FlushFileBuffers through the runtime does the same job.
            using var stream = new FileStream(handle, FileAccess.Read);
            stream.Flush(flushToDisk: true);
            return;
        }

        if (Fsync(handle) != 0)
        {
            throw new IOException($"fsync of {path} failed (errno {Marshal.GetLastPInvokeError()}).");
        }
    }

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(SafeFileHandle fd);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int FsyncFd(int fd);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
