using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Banyan.Ledger.Http.Tests;

/// <summary>
/// The real <c>Banyan.Server</c> as a child process (<c>dotnet Banyan.Server.dll --urls … --data …</c>),
/// so a test can kill it with SIGKILL and start it again on the same data directory.
/// </summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    private const int KeptOutputLines = 200;
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    private readonly Process _process;
    private readonly Queue<string> _output = new();

    private ServerProcess(Process process, Uri baseAddress)
    {
        _process = process;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    public static async Task<ServerProcess> StartAsync(string dataDirectory, string clientId, string clientSecret, IReadOnlyDictionary<string, string>? environment = null)
    {
        var serverDll = Path.Combine(AppContext.BaseDirectory, "Banyan.Server.dll");
        Assert.True(File.Exists(serverDll), "server not found next to the tests: " + serverDll);
        var port = FreePort();
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { serverDll, "--urls", $"http://127.0.0.1:{port}", "--data", dataDirectory }) start.ArgumentList.Add(arg);
        start.Environment["BANYAN_BOOTSTRAP_CLIENT_ID"] = clientId;
        start.Environment["BANYAN_BOOTSTRAP_CLIENT_SECRET"] = clientSecret;
        // Small preallocated tables: this test holds tens of thousands of transfers, not millions.
        start.Environment["Banyan__Ledger__AccountCapacity"] = "4096";
        start.Environment["Banyan__Ledger__TransferCapacity"] = "1048576";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the server");
        var server = new ServerProcess(process, new Uri($"http://127.0.0.1:{port}/"));
        process.OutputDataReceived += (_, e) => server.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => server.Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await server.WaitReadyAsync();
        return server;
    }

    /// <summary>SIGKILL: no shutdown hooks, no flush — the same as <c>kill -9</c>.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    public string RecentOutput()
    {
        lock (_output) return string.Join('\n', _output);
    }

    private void Keep(string? line)
    {
        if (line is null) return;
        lock (_output)
        {
            _output.Enqueue(line);
            while (_output.Count > KeptOutputLines) _output.Dequeue();
        }
    }

    /// <summary>Polls <c>/health/ready</c> until it answers 200, the process dies, or the bound passes.</summary>
    private async Task WaitReadyAsync()
    {
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < StartTimeout)
        {
            Assert.False(_process.HasExited, "server exited during start-up:\n" + RecentOutput());
            try
            {
                using var response = await http.GetAsync(new Uri("health/ready", UriKind.Relative));
                if (response.StatusCode == HttpStatusCode.OK) return;
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException)
            {
                // Slow first answer while the journal is replayed.
            }
            await Task.Delay(100);
        }
        Assert.Fail("server did not become ready:\n" + RecentOutput());
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public ValueTask DisposeAsync()
    {
        if (!_process.HasExited) Kill();
        _process.Dispose();
        return ValueTask.CompletedTask;
    }
}
