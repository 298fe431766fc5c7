using System.Buffers;

namespace Banyan.Aml;

internal delegate void LineHandler(ReadOnlySpan<byte> line, long lineNumber);

/// <summary>Streams a file line by line without allocating per line; the span is valid only during the callback.</summary>
internal static class JsonlLines
{
    /// <summary>Longest line accepted (a customer with many accounts fits comfortably); longer lines stop the read.</summary>
    public const int MaxLineBytes = 4 * 1024 * 1024;

    public static bool IsBlank(ReadOnlySpan<byte> line) => line.Trim(" \t"u8).IsEmpty;

    /// <summary>Calls <paramref name="handler"/> for every line; a line over <see cref="MaxLineBytes"/> goes to <paramref name="tooLong"/> and is skipped.</summary>
    public static long Read(string path, LineHandler handler, Action<long> tooLong) => Read(path, 0, long.MaxValue, handler, tooLong);

    /// <summary>Reads the lines of bytes [<paramref name="start"/>, <paramref name="end"/>); line numbers count from 1 within the range. Returns the number of lines.</summary>
    public static long Read(string path, long start, long end, LineHandler handler, Action<long> tooLong)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        stream.Seek(start, SeekOrigin.Begin);
        var remaining = end - start;
        var buffer = ArrayPool<byte>.Shared.Rent(1 << 20);
        try
        {
            int filled = 0;
            long lineNumber = 0;
            var skipping = false;
            while (true)
            {
                var read = stream.Read(buffer, filled, (int)Math.Min(buffer.Length - filled, remaining));
                remaining -= read;
                filled += read;
                if (skipping)
                {
                    var newline = buffer.AsSpan(0, filled).IndexOf((byte)'\n');
                    var drop = newline < 0 ? filled : newline + 1;
                    Buffer.BlockCopy(buffer, drop, buffer, 0, filled - drop);
                    filled -= drop;
                    skipping = newline < 0;
                    if (read == 0 && filled == 0) return lineNumber;
                    continue;
                }
                var consumed = Emit(buffer.AsSpan(0, filled), read == 0, ref lineNumber, handler);
                Buffer.BlockCopy(buffer, consumed, buffer, 0, filled - consumed);
                filled -= consumed;
                if (read == 0) return lineNumber;
                if (filled < buffer.Length) continue;
                if (buffer.Length < MaxLineBytes) buffer = Grow(buffer);
                else
                {
                    // One line fills the largest buffer: report it and skip to the next newline.
                    tooLong(++lineNumber);
                    (filled, skipping) = (0, true);
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static int Emit(ReadOnlySpan<byte> data, bool final, ref long lineNumber, LineHandler handler)
    {
        int consumed = 0;
        while (consumed < data.Length)
        {
            var rest = data[consumed..];
            var newline = rest.IndexOf((byte)'\n');
            if (newline < 0 && !final) break;
            var line = newline < 0 ? rest : rest[..newline];
            if (line.Length > 0 && line[^1] == (byte)'\r') line = line[..^1];
            lineNumber++;
            if (lineNumber == 1 && line.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF])) line = line[3..];
            handler(line, lineNumber);
            consumed += newline < 0 ? rest.Length : newline + 1;
        }
        return consumed;
    }

    private static byte[] Grow(byte[] buffer)
    {
        var bigger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
        Buffer.BlockCopy(buffer, 0, bigger, 0, buffer.Length);
        ArrayPool<byte>.Shared.Return(buffer);
        return bigger;
    }
}

/// <summary>Thrown under <c>--strict</c> at the first malformed line, or for unreadable input; the scan exits 1.</summary>
internal sealed class AmlInputException(string message) : Exception(message);

/// <summary>Collects malformed-line reports ("file:line: why"); under strict the first one stops the scan.</summary>
internal sealed class InputIssues(bool strict, TextWriter? log)
{
    /// <summary>How many individual reports are printed before only counting.</summary>
    public const int MaxPrinted = 50;

    private readonly Dictionary<string, int> _perFile = new(StringComparer.Ordinal);
    public int Count { get; private set; }
    public List<string> First { get; } = [];
    public IReadOnlyDictionary<string, int> PerFile => _perFile;

    public void Report(string file, long line, string why)
    {
        var message = $"{file}:{line}: {why}";
        if (strict) throw new AmlInputException(message + " (--strict: scan refused)");
        Count++;
        _perFile[file] = _perFile.GetValueOrDefault(file) + 1;
        if (First.Count < MaxPrinted)
        {
            First.Add(message);
            log?.WriteLine("skipped " + message);
        }
    }
}
