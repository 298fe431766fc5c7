using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

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

    /// <summary>
    /// Opens a journal segment for appending through <see cref="RandomAccess"/>. With
    /// <paramref name="directIo"/> on Linux the file is opened O_DIRECT: writes go from our pinned,
    /// aligned buffers straight to the device instead of being copied into the page cache first (that
    /// copy costs as much CPU as the state machine on a 2-core machine). File systems that refuse
    /// O_DIRECT (tmpfs) get an ordinary buffered file; the on-disk format is the same.
    /// </summary>
    public static FileStream OpenSegment(string path, FileMode mode, bool directIo, out bool direct)
    {
        direct = false;
        if (directIo && OperatingSystem.IsLinux() && DirectFlag() is { } directFlag)
        {
            var flags = ReadWrite | CloseOnExec | directFlag | (mode == FileMode.CreateNew ? Create | Exclusive : 0);
            var fd = OpenWithMode(path, flags, 420); // 0644
            if (fd >= 0)
            {
                direct = true;
                return new FileStream(new SafeFileHandle(fd, ownsHandle: true), FileAccess.ReadWrite, bufferSize: 0);
            }
            var errno = Marshal.GetLastPInvokeError();
            if (errno != InvalidArgument) throw new IOException($"open failed on '{path}' (errno {errno}).");
            // O_DIRECT unsupported here; open(2) may already have created the file, so do not insist on CreateNew.
            if (mode == FileMode.CreateNew) mode = FileMode.OpenOrCreate;
        }
        return new FileStream(path, mode, FileAccess.ReadWrite, FileShare.Read, bufferSize: 0, FileOptions.None);
    }

    /// <summary>Opens a segment for the recovery scan, with O_DIRECT where the platform and file system allow it.</summary>
    public static FileStream OpenForScan(string path, out bool direct)
    {
        direct = false;
        if (OperatingSystem.IsLinux() && DirectFlag() is { } directFlag)
        {
            var fd = OpenWithMode(path, CloseOnExec | directFlag, 0); // O_RDONLY = 0
            if (fd >= 0)
            {
                direct = true;
                return new FileStream(new SafeFileHandle(fd, ownsHandle: true), FileAccess.Read, bufferSize: 0);
            }
            var errno = Marshal.GetLastPInvokeError();
            if (errno != InvalidArgument) throw new IOException($"open failed on '{path}' (errno {errno}).");
        }
        return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 0, FileOptions.SequentialScan);
    }

    /// <summary>Bytes to skip from the start of a pinned array to reach a 4 KiB boundary (O_DIRECT buffers).</summary>
    public static unsafe int AlignmentOffset(byte[] pinned)
    {
        fixed (byte* start = pinned)
        {
            var misalignment = (int)((nuint)start % RecordHeader.Alignment);
            return misalignment == 0 ? 0 : RecordHeader.Alignment - misalignment;
        }
    }

    private const int ReadWrite = 0x2;         // O_RDWR
    private const int Create = 0x40;           // O_CREAT
    private const int Exclusive = 0x80;        // O_EXCL
    private const int CloseOnExec = 0x80000;   // O_CLOEXEC
    private const int InvalidArgument = 22;    // EINVAL

    /// <summary>O_DIRECT differs by architecture; unknown architectures stay buffered.</summary>
    private static int? DirectFlag() => RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => 0x4000,
        Architecture.Arm64 => 0x10000,
        _ => null,
    };

    /// <summary>
    /// Asks the kernel to start reading [offset, offset + length) in the background (POSIX_FADV_WILLNEED),
    /// so recovery applies one chunk while the next is read. Journal segments written with O_DIRECT are
    /// not in the page cache, so without this every chunk would wait for the disk. Best effort.
    /// </summary>
    public static void ReadAhead(FileStream file, long offset, long length)
    {
        if (!OperatingSystem.IsLinux() || length <= 0) return;
        var handle = file.SafeFileHandle;
        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            _ = FileAdvise(handle.DangerousGetHandle().ToInt32(), offset, length, 3);
        }
        finally
        {
            if (added) handle.DangerousRelease();
        }
    }

    [LibraryImport("libc", EntryPoint = "posix_fadvise")]
    private static partial int FileAdvise(int fd, long offset, long length, int advice);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int OpenWithMode(string path, int flags, int mode);

    [LibraryImport("libc", EntryPoint = "fdatasync", SetLastError = true)]
    private static partial int FdataSync(int fd);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int FSync(int fd);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
