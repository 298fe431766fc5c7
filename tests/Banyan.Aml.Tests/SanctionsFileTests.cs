using System.Security.Cryptography;
using System.Text;
using Banyan.Aml.Contracts;
using Banyan.Aml.Screening;
using Microsoft.Extensions.DependencyInjection;

namespace Banyan.Aml.Tests;

/// <summary>Banyan:Aml:Sanctions:Path: the list is refreshed from the file without a restart; a bad file keeps the old list.</summary>
public sealed class SanctionsFileTests
{
    [Fact]
    public async Task A_changed_file_replaces_the_list_without_restart_and_a_bad_file_keeps_the_old_one()
    {
        var folder = Directory.CreateTempSubdirectory("banyan-aml-sanctions-").FullName;
        var path = Path.Combine(folder, "list.csv");
        await WriteAsync(path, "name,aliases,country,list\nOlga Zaytseva,,RU,TEST\n");
        var host = new AmlHostFixture { ExtraArgs = ["--Banyan:Aml:Sanctions:Path=" + path, "--Banyan:Aml:Sanctions:PollSeconds=1", "--Banyan:Aml:Sanctions:DebounceMilliseconds=50"] };
        await host.InitializeAsync();
        try
        {
            var watcher = host.Services.GetRequiredService<SanctionsFileWatcher>();
            var lists = host.Services.GetRequiredService<SanctionsLists>();
            var screening = host.Services.GetRequiredService<ISanctionsScreening>();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await watcher.WaitForAsync(_ => lists.Current?.Sha256 == Sha(path), timeout.Token);
            Assert.True((await screening.ScreenAsync(new ScreeningRequest("ZAYTSEVA, olga"))).Hit);
            var first = lists.Current!.Version;

            await WriteAsync(path, "name,aliases,country,list\n\"unterminated,,RU,TEST\n");
            await watcher.WaitForAsync(w => w.LastSeenSha256 == Sha(path), timeout.Token);
            Assert.NotNull(watcher.LastError);
            Assert.Equal(first, lists.Current!.Version); // the old list is still in force
            Assert.True((await screening.ScreenAsync(new ScreeningRequest("Olga Zaytseva"))).Hit);

            await WriteAsync(path, "name,aliases,country,list\nIvan Petrov,Ivan Petroff,RU,TEST\n");
            await watcher.WaitForAsync(_ => lists.Current?.Sha256 == Sha(path), timeout.Token);
            Assert.True(lists.Current!.Version > first);
            Assert.Null(watcher.LastError);
            Assert.True((await screening.ScreenAsync(new ScreeningRequest("Petrov Ivan"))).Hit);
            Assert.False((await screening.ScreenAsync(new ScreeningRequest("Olga Zaytseva"))).Hit);
            var (status, current) = await host.Api.GetJsonAsync("v1/aml/sanctions");
            Assert.Equal((200, Sha(path)), (status, current.GetProperty("sha256").GetString()));
        }
        finally
        {
            await host.DisposeAsync();
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Written next to the file and renamed over it, as a deployment would, so the watcher never reads half a file.</summary>
    private static async Task WriteAsync(string path, string text)
    {
        var temp = path + ".tmp";
        await File.WriteAllTextAsync(temp, text, new UTF8Encoding(false));
        File.Move(temp, path, overwrite: true);
    }

    private static string Sha(string path) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));
}
