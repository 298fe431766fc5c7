using System.Runtime.InteropServices;

namespace Banyan.Ledger;

/// <summary>
/// Faults in the pages of large pinned arrays ahead of use, on a background thread, without touching
/// their contents (Linux <c>madvise(MADV_POPULATE_WRITE)</c>, which preserves data, so it is safe while
/// the writer thread already uses the array). Why: on virtual machines a first-touch page fault costs
/// microseconds, which measured as 250+ ns per transfer when taken on the writer thread. A performance
/// hint only: it never changes state, and where unsupported it does nothing.
/// </summary>
internal static partial class MemoryPrefault
{
    private const int MadvPopulateWrite = 23;
    private const long PageBytes = 4096;

    /// <summary>Arrays smaller than this are not worth a background task.</summary>
    private const long MinimumBytes = 2L << 20;

    /// <summary>Tables are prefaulted only once they hold this many entries: tests and idle engines commit nothing extra.</summary>
    public const long WorkloadThreshold = 1 << 16;

    private static int _unsupported;

    /// <summary>Starts populating the pages of <paramref name="array"/> (which must be pinned) in the background.</summary>
    public static void Start<T>(T[] array) where T : unmanaged
    {
        var bytes = (long)array.LongLength * System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
        if (bytes < MinimumBytes || !OperatingSystem.IsLinux() || Volatile.Read(ref _unsupported) != 0) return;
        var address = (long)Marshal.UnsafeAddrOfPinnedArrayElement(array, 0);
        _ = Task.Run(() => Populate(array, address, bytes));
    }

    private static void Populate<T>(T[] array, long address, long bytes)
    {
        var start = (address + PageBytes - 1) & ~(PageBytes - 1);
        var end = (address + bytes) & ~(PageBytes - 1);
        try
        {
            // Fails with EINVAL on kernels older than 5.14: then stop trying.
            if (end > start && Madvise((nint)start, (nuint)(end - start), MadvPopulateWrite) != 0) Volatile.Write(ref _unsupported, 1);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            Volatile.Write(ref _unsupported, 1);
        }
        GC.KeepAlive(array);
    }

    [LibraryImport("libc", EntryPoint = "madvise", SetLastError = true)]
    private static partial int Madvise(nint address, nuint length, int advice);
}
