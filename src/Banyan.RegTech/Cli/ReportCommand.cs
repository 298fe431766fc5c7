using System.ComponentModel;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Banyan.Platform;
using Banyan.Platform.Http;
using Banyan.RegTech.Api;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Banyan.RegTech.Cli;

/// <summary>
/// <c>banyan regtech report --profile cn --as-of 2026-06-30 --out DIR</c>: asks a running server for a
/// return (<c>POST /v1/regtech/reports</c>, client credentials from <c>--data</c>'s bootstrap-client.json or
/// <c>--client-id</c>/<c>--client-secret</c>) and writes every file, with progress.
/// </summary>
internal sealed class ReportCommand : AsyncCommand<ReportCommand.Settings>
{
    internal sealed class Settings : CommandSettings
    {
        [CommandOption("--profile <PROFILE>")]
        [Description("cn or basel.")]
        public string Profile { get; init; } = "cn";

        [CommandOption("--as-of <DATE>")]
        [Description("Reporting date YYYY-MM-DD (default: today on the server).")]
        public string? AsOf { get; init; }

        [CommandOption("--out <DIR>")]
        [Description("Directory to write the files to.")]
        public string Out { get; init; } = "regtech-report";

        [CommandOption("--server <URL>")]
        [Description("Server base address (default http://127.0.0.1:5080/).")]
        public string Server { get; init; } = "http://127.0.0.1:5080/";

        [CommandOption("--data <DIR>")]
        [Description("Server data directory holding bootstrap-client.json (default ./data).")]
        public string Data { get; init; } = "data";

        [CommandOption("--client-id <ID>")]
        public string? ClientId { get; init; }

        [CommandOption("--client-secret <SECRET>")]
        public string? ClientSecret { get; init; }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        if (settings.Profile is not ("cn" or "basel")) throw new CliUsageException("--profile must be cn or basel");
        if (settings.AsOf is not null && !DateOnly.TryParseExact(settings.AsOf, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
            throw new CliUsageException("--as-of must be a date YYYY-MM-DD");
        if (!Uri.TryCreate(settings.Server.EndsWith('/') ? settings.Server : settings.Server + "/", UriKind.Absolute, out var server)) throw new CliUsageException("--server must be an absolute URL");
        var (id, secret) = Credentials(settings);
        ReportResponse? report = null;
        await AnsiConsole.Progress().StartAsync(async progress =>
        {
            var auth = progress.AddTask("sign in (client credentials)", maxValue: 1);
            var compute = progress.AddTask($"compute {settings.Profile} as of {settings.AsOf ?? "today"}", maxValue: 1);
            var write = progress.AddTask($"write files to {settings.Out}", maxValue: 1);
            using var http = new HttpClient { BaseAddress = server };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await TokenAsync(http, id, secret, cancellationToken));
            auth.Increment(1);
            using var response = await http.PostAsJsonAsync("v1/regtech/reports", new { profile = settings.Profile, as_of = settings.AsOf }, BanyanJson.Options, cancellationToken);
            if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"the server answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}");
            report = await response.Content.ReadFromJsonAsync<ReportResponse>(BanyanJson.Options, cancellationToken) ?? throw new InvalidOperationException("empty report");
            compute.Increment(1);
            write.MaxValue = report.Files.Count;
            foreach (var file in report.Files)
            {
                var path = Path.Combine(settings.Out, file.Name);
                Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
                await File.WriteAllTextAsync(path, file.Content, cancellationToken);
                write.Increment(1);
            }
        });
        AnsiConsole.MarkupLineInterpolated($"[green]{report!.ReportId}[/] version {report.Version}, data hash {report.DataHash}: {report.Files.Count} files in {settings.Out}");
        return 0;
    }

    private static (string Id, string Secret) Credentials(Settings settings)
    {
        if (settings.ClientId is not null && settings.ClientSecret is not null) return (settings.ClientId, settings.ClientSecret);
        var path = Path.Combine(settings.Data, "bootstrap-client.json");
        if (!File.Exists(path)) throw new CliUsageException($"no credentials: pass --client-id and --client-secret, or --data with {path}");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        return (doc.RootElement.GetProperty("client_id").GetString()!, doc.RootElement.GetProperty("client_secret").GetString()!);
    }

    private static async Task<string> TokenAsync(HttpClient http, string id, string secret, CancellationToken cancellationToken)
    {
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials", ["client_id"] = id, ["client_secret"] = secret, ["scope"] = "regtech",
        });
        using var response = await http.PostAsync("connect/token", form, cancellationToken);
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"token request answered {(int)response.StatusCode}");
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
        return doc.RootElement.GetProperty("access_token").GetString()!;
    }
}
