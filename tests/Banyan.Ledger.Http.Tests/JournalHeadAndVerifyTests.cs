using System.Globalization;
using Banyan.Ledger.Http.Cli;
using Spectre.Console.Cli;

namespace Banyan.Ledger.Http.Tests;

[Collection(LedgerHostCollection.Name)]
public sealed class JournalHeadAndVerifyTests(LedgerHostFixture host)
{
    private async Task CreateAccountPairAsync()
    {
        var (a, b) = (host.NextId(), host.NextId());
        var (status, _, _) = await host.Api.PostJsonAsync("v1/ledger/accounts",
            $$"""[{"id":"{{a}}","ledger":1,"code":1},{"id":"{{b}}","ledger":1,"code":1}]""");
        Assert.Equal(200, status);
    }

    private static async Task<(int Code, string Output)> VerifyAsync(params string[] args)
    {
        var app = new CommandApp();
        app.Configure(c => c.AddCommand<VerifyCommand>("verify"));
        var stdout = Console.Out;
        using var capture = new StringWriter(CultureInfo.InvariantCulture);
        Console.SetOut(capture);
        try
        {
            var code = await app.RunAsync(["verify", .. args]);
            return (code, capture.ToString());
        }
        finally
        {
            Console.SetOut(stdout);
        }
    }

    [Fact]
    public async Task Journal_head_advances_with_every_durable_batch()
    {
        await CreateAccountPairAsync();
        var (_, before, _) = await host.Api.GetJsonAsync("v1/ledger/journal/head");
        await CreateAccountPairAsync();
        var (status, after, _) = await host.Api.GetJsonAsync("v1/ledger/journal/head");

        Assert.Equal(200, status);
        var first = ulong.Parse(before.GetProperty("sequence").GetString()!, CultureInfo.InvariantCulture);
        var second = ulong.Parse(after.GetProperty("sequence").GetString()!, CultureInfo.InvariantCulture);
        Assert.True(second > first, $"head did not advance: {first} → {second}");
        Assert.Matches("^[0-9a-f]{32}$", after.GetProperty("hash").GetString());
        Assert.NotEqual(before.GetProperty("hash").GetString(), after.GetProperty("hash").GetString());
        Assert.StartsWith(second.ToString(CultureInfo.InvariantCulture) + ":", after.GetProperty("pin").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_passes_on_the_live_journal_against_a_pinned_head()
    {
        await CreateAccountPairAsync();
        var (_, head, _) = await host.Api.GetJsonAsync("v1/ledger/journal/head");

        var (code, output) = await VerifyAsync("--data", host.DataDirectory, "--expect-head", head.GetProperty("pin").GetString()!);

        Assert.True(code == 0, output);
        Assert.StartsWith("OK", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_fails_with_file_and_offset_when_a_journal_byte_is_changed()
    {
        await CreateAccountPairAsync();
        await CreateAccountPairAsync();
        var copy = Path.Combine(Path.GetTempPath(), "banyan-verify-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(copy, "ledger"));
        try
        {
            var segments = Directory.GetFiles(Path.Combine(host.DataDirectory, "ledger"), "journal-*.log").Order(StringComparer.Ordinal).ToList();
            foreach (var file in segments) File.Copy(file, Path.Combine(copy, "ledger", Path.GetFileName(file)));
            var first = Path.Combine(copy, "ledger", Path.GetFileName(segments[0]));
            await using (var stream = new FileStream(first, FileMode.Open, FileAccess.ReadWrite))
            {
                // Byte 80 lies in the first record's body, just past its 64-byte header.
                stream.Position = 80;
                var original = stream.ReadByte();
                stream.Position = 80;
                stream.WriteByte((byte)(original ^ 0x5A));
            }

            var (code, output) = await VerifyAsync("--data", copy, "--json");

            Assert.Equal(1, code);
            using var report = System.Text.Json.JsonDocument.Parse(output);
            Assert.False(report.RootElement.GetProperty("ok").GetBoolean());
            Assert.EndsWith(Path.GetFileName(segments[0]), report.RootElement.GetProperty("problem_file").GetString(), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(copy, recursive: true);
        }
    }
}
