using System.Security.Cryptography;
using System.Text;
using Banyan.Platform.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Banyan.Aml.Screening;

/// <summary>Settings under <c>Banyan:Aml:Sanctions</c>.</summary>
internal sealed record SanctionsFileOptions(string Path, TimeSpan Poll, TimeSpan Debounce)
{
    public static readonly TimeSpan DefaultPoll = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan DefaultDebounce = TimeSpan.FromMilliseconds(500);
}

/// <summary>
/// Refreshes the sanctions list from a file without a restart (decision 0643). A <see cref="FileSystemWatcher"/> on the
/// file's directory wakes the loop early; a periodic poll compares the file's SHA-256 with the last one seen, so a missed
/// or unsupported notification (network shares, some container mounts) only delays a refresh. After a wake the loop waits
/// until the file has been quiet for the debounce interval (an editor or a copy writes in several steps). A changed file
/// is parsed and indexed completely, then stored and swapped in through <see cref="SanctionsLists.UploadAsync"/> (one
/// reference write); a bad file keeps the list in force and is logged and audited once per content.
/// </summary>
internal sealed class SanctionsFileWatcher(SanctionsFileOptions options, SanctionsLists lists, IServiceScopeFactory scopes, TimeProvider time,
    ILogger<SanctionsFileWatcher> log) : BackgroundService
{
    public const string Actor = "sanctions-file";
    private readonly SemaphoreSlim _wake = new(0, int.MaxValue);
    private readonly object _gate = new();
    private TaskCompletionSource _checked = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>SHA-256 of the last file content looked at (applied or refused).</summary>
    public string? LastSeenSha256 { get; private set; }

    /// <summary>Why the last refused file was refused; null after a good one.</summary>
    public string? LastError { get; private set; }

    /// <summary>Completes when <paramref name="condition"/> holds after a check (tests wait on it instead of sleeping).</summary>
    public async Task WaitForAsync(Func<SanctionsFileWatcher, bool> condition, CancellationToken ct)
    {
        while (true)
        {
            Task next;
            lock (_gate)
            {
                if (condition(this)) return;
                next = _checked.Task;
            }
            await next.WaitAsync(ct).ConfigureAwait(false);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var full = System.IO.Path.GetFullPath(options.Path);
        using var watcher = Watch(full);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await CheckAsync(full, stoppingToken);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Data.Common.DbException or DbUpdateException or InvalidOperationException && !stoppingToken.IsCancellationRequested)
            {
                log.LogWarning(e, "Sanctions file {Path} could not be checked; the list in force is kept", full);
            }
            Signal();
            try
            {
                await WaitForChangeAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    /// <summary>Waits for a notification (then for the debounce quiet time) or the poll interval, whichever is first.</summary>
    private async Task WaitForChangeAsync(CancellationToken ct)
    {
        using var poll = new CancellationTokenSource(options.Poll, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, poll.Token);
        try
        {
            await _wake.WaitAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return; // the poll interval passed
        }
        // Debounce: keep waiting while notifications keep coming.
        while (await _wake.WaitAsync(options.Debounce, ct).ConfigureAwait(false)) { }
    }

    private FileSystemWatcher? Watch(string full)
    {
        var directory = System.IO.Path.GetDirectoryName(full);
        if (directory is null || !Directory.Exists(directory))
        {
            log.LogWarning("Sanctions file directory {Directory} does not exist; only the poll will notice the file", directory);
            return null;
        }
        var watcher = new FileSystemWatcher(directory, System.IO.Path.GetFileName(full))
        {
            NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.FileName | NotifyFilters.CreationTime,
        };
        watcher.Changed += (_, _) => _wake.Release();
        watcher.Created += (_, _) => _wake.Release();
        watcher.Renamed += (_, _) => _wake.Release();
        watcher.Error += (_, _) => _wake.Release(); // an overflowed buffer: look at the file now rather than at the next poll
        watcher.EnableRaisingEvents = true;
        return watcher;
    }

    /// <summary>Reads the file; when its content is new, validates it whole and stores/swaps it in, or keeps the old list and reports.</summary>
    internal async Task CheckAsync(string full, CancellationToken ct)
    {
        if (!File.Exists(full)) return;
        var info = new FileInfo(full);
        if (info.Length > Live.LiveModel.MaxCsvChars)
        {
            await RefuseAsync(full, "size:" + info.Length, $"the file is {info.Length:N0} bytes; at most {Live.LiveModel.MaxCsvChars:N0}", ct);
            return;
        }
        var bytes = await File.ReadAllBytesAsync(full, ct);
        string csv;
        try
        {
            csv = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes).TrimStart('\uFEFF');
        }
        catch (DecoderFallbackException)
        {
            await RefuseAsync(full, Convert.ToHexStringLower(SHA256.HashData(bytes)), "the file is not UTF-8", ct);
            return;
        }
        // The same digest the upload stores (over the text without a byte-order mark), so an unchanged file is recognised after a restart.
        var sha = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(csv)));
        if (sha == LastSeenSha256 || sha == lists.Current?.Sha256)
        {
            LastSeenSha256 = sha;
            return;
        }
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DbContext>();
        var (version, errors) = await lists.UploadAsync(db, csv, Actor, time.GetUtcNow().ToUnixTimeMilliseconds(), ct);
        if (version is null)
        {
            await RefuseAsync(full, sha, string.Join("; ", errors.Take(5).Select(e => $"{e.Key}: {e.Value[0]}")), ct);
            return;
        }
        lock (_gate) { LastSeenSha256 = sha; LastError = null; }
        if (log.IsEnabled(LogLevel.Information))
            log.LogInformation("Sanctions list version {Version} loaded from {Path}: {Entries} entries, sha256 {Sha}", version.Version, full, version.Entries, sha);
        await AuditAsync(scope.ServiceProvider, "sanctions_list_loaded", "succeeded", full, sha, $"version {version.Version}, {version.Entries} entries", ct);
    }

    private async Task RefuseAsync(string full, string sha, string why, CancellationToken ct)
    {
        lock (_gate) { LastSeenSha256 = sha; LastError = why; }
        log.LogError("Sanctions file {Path} (sha256 {Sha}) refused, the list in force is kept: {Why}", full, sha, why);
        await using var scope = scopes.CreateAsyncScope();
        await AuditAsync(scope.ServiceProvider, "sanctions_list_refused", "failed", full, sha, why, ct);
    }

    private static async Task AuditAsync(IServiceProvider services, string action, string outcome, string path, string sha, string detail, CancellationToken ct)
    {
        if (services.GetService<IAuditLog>() is not { } audit) return;
        var details = new Dictionary<string, string> { ["path"] = Clip(path), ["sha256"] = sha, ["detail"] = Clip(detail) };
        await audit.AppendAsync(new AuditEntry("aml_sanctions", action, Actor, null, outcome, details), ct);
    }

    private static string Clip(string s) => s.Length <= 512 ? s : s[..512];

    private void Signal()
    {
        TaskCompletionSource done;
        lock (_gate)
        {
            done = _checked;
            _checked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        done.TrySetResult();
    }

    public override void Dispose()
    {
        _wake.Dispose();
        base.Dispose();
    }
}
