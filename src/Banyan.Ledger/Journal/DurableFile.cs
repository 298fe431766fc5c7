using System.Runtime.InteropServices;

namespace Banyan.Ledger.Journal;

/// <summary>
/// fdatasync/fsync of files and directories. On Linux we call libc directly: <c>fdatasync</c> skips the
/// inode timestamp flush that <c>FileStream.Flush(true)</c> (fsync) pays for, and a directory must be
/// fsync'd for a created or renamed file to survive a power cut. Elsewhere we fall back to
/// <c>FileStream.Flush(true)</c> and skip directory syncs (not expressible portably).
/// </summary>
internal static partial class DurableFile
{
    private const int ReadOnly = 0; // O_RDONLY

    public static void SyncData(FileStream file)
    {
        if (!OperatingSystem.IsLinux())
        {
            file.Flush(flushToDisk: true);
            return;
        }
        var handle = file.SafeFileHandle;
        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            if (FdataSync(handle.DangerousGetHandle().ToInt32()) != 0)
                throw new IOException($"fdatasync failed on '{file.Name}' (errno {Marshal.GetLastPInvokeError()}).");
        }
        finally
        {
            if (added) handle.DangerousRelease();
        }
    }

    /// <summary>Makes the directory entry of files created or renamed in <paramref name="directory"/> durable.</summary>
    public static void SyncDirectory(string directory)
    {
        if (!OperatingSystem.IsLinux()) return;
        var fd = Open(directory, ReadOnly);
        if (fd < 0) throw new IOException($"open failed on directory '{directory}' (errno {Marshal.GetLastPInvokeError()}).");
        try
        {
            if (FSync(fd) != 0) throw new IOException($"fsync failed on directory '{directory}' (errno {Marshal.GetLastPInvokeError()}).");
        }
        finally
        {
            _ = Close(fd);
        }
    }

    /// <summary>Opens a journal segment for appending through <see cref="RandomAccess"/> (unbuffered FileStream).</summary>
    public static FileStream OpenSegment(string path, FileMode mode) =>
        new(path, mode, FileAccess.ReadWrite, FileShare.Read, bufferSize: 0, FileOptions.None);

    [LibraryImport("libc", EntryPoint = "fdatasync", SetLastError = true)]
    private static partial int FdataSync(int fd);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int FSync(int fd);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
