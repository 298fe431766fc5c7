using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;

namespace Banyan.Bench.Ledger;

/// <summary>
/// A <c>Banyan.Server</c> child process on a loopback port over a fresh data directory (durable
/// journal, fsync on). The bench measures it from other processes, never in-process.
/// </summary>
internal sealed class BenchServer : IAsyncDisposable
{
    public const string ClientId = "bench-ledger";
    public const string ClientSecret = "bench-ledger-secret-for-loopback-only";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(120);
    private readonly Process _process;
    private readonly Queue<string> _output = new();

    private BenchServer(Process process, Uri baseAddress, string dataDirectory)
    {
        _process = process;
        BaseAddress = baseAddress;
        DataDirectory = dataDirectory;
    }

    public Uri BaseAddress { get; }

    public string DataDirectory { get; }

    /// <summary>Bytes of the ledger's journal and snapshots.</summary>
    public long LedgerBytes()
    {
        var dir = new DirectoryInfo(Path.Combine(DataDirectory, "ledger"));
        return dir.Exists ? dir.EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length) : 0;
    }

    public static async Task<BenchServer> StartAsync(int accountCapacity, long transferCapacity, TextWriter progress, CancellationToken ct)
    {
        var serverDll = Path.Combine(AppContext.BaseDirectory, "Banyan.Server.dll");
        if (!File.Exists(serverDll)) throw new FileNotFoundException("Banyan.Server.dll must sit next to the banyan CLI", serverDll);
        var data = Path.Combine(Path.GetTempPath(), "banyan-bench-server-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(data);
        var port = FreePort();
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { serverDll, "--urls", $"http://127.0.0.1:{port}", "--data", data }) start.ArgumentList.Add(a);
        start.Environment["BANYAN_BOOTSTRAP_CLIENT_ID"] = ClientId;
        start.Environment["BANYAN_BOOTSTRAP_CLIENT_SECRET"] = ClientSecret;
        start.Environment["Banyan__Ledger__AccountCapacity"] = accountCapacity.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["Banyan__Ledger__TransferCapacity"] = transferCapacity.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        start.Environment["DOTNET_gcServer"] = "0";
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start Banyan.Server");
        var server = new BenchServer(process, new Uri($"http://127.0.0.1:{port}/"), data);
        process.OutputDataReceived += (_, e) => server.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => server.Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        progress.WriteLine($"server: pid {process.Id} on {server.BaseAddress} data {data}");
        await server.WaitReadyAsync(ct);
        return server;
    }

    private void Keep(string? line)
    {
        if (line is null) return;
        lock (_output)
        {
            _output.Enqueue(line);
            while (_output.Count > 100) _output.Dequeue();
        }
    }

    private string Recent()
    {
        lock (_output) return string.Join('\n', _output);
    }

    private async Task WaitReadyAsync(CancellationToken ct)
    {
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < StartTimeout)
        {
            if (_process.HasExited) throw new InvalidOperationException("Banyan.Server exited during start-up:\n" + Recent());
            try
            {
                using var response = await http.GetAsync(new Uri("health/ready", UriKind.Relative), ct);
                if (response.StatusCode == HttpStatusCode.OK) return;
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }
            catch (TaskCanceledException) when (!ct.IsCancellationRequested)
            {
                // slow first answer
            }
            await Task.Delay(100, ct);
        }
        throw new TimeoutException("Banyan.Server did not become ready:\n" + Recent());
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        try { Directory.Delete(DataDirectory, recursive: true); } catch (IOException) { }
    }
}

/// <summary>Runs this very CLI again as a child process (the bench's separate client process).</summary>
internal static class SelfProcess
{
    /// <summary>Runs <c>banyan &lt;args&gt;</c> in a child, streams its stderr to <paramref name="progress"/>, returns its stdout.</summary>
    public static async Task<string> RunAsync(IReadOnlyList<string> args, TextWriter progress, CancellationToken ct)
    {
        var start = StartInfo();
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the bench client process");
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) progress.WriteLine("  client: " + e.Data); };
        process.BeginErrorReadLine();
        var stdout = await process.StandardOutput.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        if (process.ExitCode != 0) throw new InvalidOperationException($"bench client exited with {process.ExitCode}");
        return stdout;
    }

    private static ProcessStartInfo StartInfo()
    {
        var host = Environment.ProcessPath ?? "dotnet";
        var entry = Assembly.GetEntryAssembly()?.Location ?? throw new InvalidOperationException("no entry assembly");
        var start = new ProcessStartInfo { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.Environment["DOTNET_gcServer"] = "0";
        // Under `dotnet banyan.dll` the host is dotnet itself and needs the assembly; an apphost does not.
        if (Path.GetFileNameWithoutExtension(host).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
        {
            start.FileName = host;
            start.ArgumentList.Add(entry);
        }
        else
        {
            start.FileName = host;
        }
        return start;
    }
}
